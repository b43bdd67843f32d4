import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type PrivateDovecot } from './dovecot.ts';

const USER = 'box@example.net';
let dovecot: PrivateDovecot;

beforeAll(async () => {
  dovecot = await startDovecot({ [USER]: 'p@ss/word' });
});
afterAll(async () => {
  await dovecot?.dispose();
});

const mail = (subject: string) =>
  `From: a@example.net\r\nTo: ${USER}\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.net>\r\n\r\nbody\r\n`;

describe('private Dovecot', () => {
  it('stores appended mail per folder and lists it with subject and Message-ID', async () => {
    await dovecot.append(USER, mail('one'));
    await dovecot.append(USER, Buffer.from(mail('two')), 'Archive');
    expect(await dovecot.list(USER, 'INBOX')).toEqual([{ uid: 1, subject: 'one', messageId: '<one@example.net>' }]);
    expect(await dovecot.list(USER, 'Archive')).toEqual([{ uid: 1, subject: 'two', messageId: '<two@example.net>' }]);
  });

  it('lists a folder that does not exist as empty', async () => {
    expect(await dovecot.list(USER, 'Nowhere')).toEqual([]);
  });

  it('hands out a URL that logs in, and refuses a wrong password', async () => {
    const url = new URL(dovecot.url(USER));
    expect([url.hostname, url.port, decodeURIComponent(url.password)]).toEqual([
      '127.0.0.1',
      String(dovecot.port),
      'p@ss/word',
    ]);
    await expect(dovecot.session(USER, async (c) => c.authenticated)).resolves.toBeTruthy();
    dovecot.users['intruder@example.net'] = 'guess';
    await expect(dovecot.list('intruder@example.net', 'INBOX')).rejects.toThrow();
    delete dovecot.users['intruder@example.net'];
  });

  it('keeps port and mail across a restart', async () => {
    await dovecot.append(USER, mail('kept'), 'Restart');
    const port = dovecot.port;
    await dovecot.restart();
    expect(dovecot.port).toBe(port);
    expect((await dovecot.list(USER, 'Restart')).map((m) => m.subject)).toEqual(['kept']);
  });

  it('rejects a user name that cannot be a passwd-file entry, leaving nothing running', async () => {
    await expect(startDovecot({ 'bad:user': 'x' })).rejects.toThrow(/unusable user name/);
  });
});
