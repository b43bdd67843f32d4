import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import {
  MailboxWatcher,
  type FilingFolder,
  type MailboxMessage,
  type MailboxWatcherOptions,
  type WatcherState,
} from '../../src/mailbox/mailbox-watcher.ts';
import { clearPrefix } from '../../src/store/clear-prefix.ts';
import { startDovecot, type PrivateDovecot } from '../support/dovecot.ts';
import { rawMail } from '../support/mail.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
// One mailbox user per test, so tests sharing the Dovecot never see each other's mail.
const USERS = [
  'order',
  'handoff',
  'restart',
  'dovecot-restart',
  'silent',
  'pair',
  'crash',
  'filing',
  'huge',
  'validity',
  'badpass',
].map((u) => `${u}@example.net`);

let dovecot: PrivateDovecot;
let redis: Redis;
const prefixes: string[] = [];
const running: MailboxWatcher[] = [];

beforeAll(async () => {
  dovecot = await startDovecot(Object.fromEntries(USERS.map((u) => [u, `pw-${u}`])));
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  await Promise.all(prefixes.splice(0).map((p) => clearPrefix(REDIS_URL, p)));
});

afterAll(async () => {
  redis?.disconnect();
  await dovecot?.dispose();
});

function newPrefix(): string {
  const prefix = `lc-test-watcher-${randomBytes(6).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
}

async function eventually<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A watcher with a recording receiver: what it was handed, in order, and the states it went through. */
function watcher(user: string, keyPrefix: string, extra: Partial<MailboxWatcherOptions> = {}) {
  const received: MailboxMessage[] = [];
  const states: WatcherState[] = [];
  const w = new MailboxWatcher({
    url: dovecot.url(user),
    redis,
    keyPrefix,
    pollIntervalMs: 1000,
    lockTtlMs: 1500,
    lockRenewMs: 300,
    reconnectDelayMs: { initial: 200, max: 1000 },
    onMessage: async (m) => {
      received.push(m);
    },
    fileOutcome: async () => undefined,
    onStateChange: (s) => states.push(s),
    ...extra,
  });
  running.push(w);
  const subjects = () => received.map((m) => m.source.toString('latin1').match(/^Subject: (.*)\r$/m)?.[1]);
  return { w, received, states, subjects, state: () => states.at(-1) };
}

const send = async (user: string, subject: string, folder?: string) => {
  const { raw, messageId } = rawMail({
    from: 'customer@client.example',
    to: user,
    subject,
    text: `request ${subject}`,
  });
  await dovecot.append(user, raw, folder);
  return messageId;
};

/**
 * A TCP relay to Dovecot whose open connections can be frozen: nothing flows, nothing closes, like a dead NAT entry.
 */
async function freezableRelay(port: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const open: Socket[] = [];
  const server: Server = createServer((downstream) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [downstream, upstream]) s.on('error', () => undefined);
    downstream.pipe(upstream).pipe(downstream);
    open.push(downstream, upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    freeze: () =>
      open.forEach((s) => {
        s.unpipe();
        s.pause();
      }),
    close: () =>
      new Promise((resolve) => {
        open.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('mailbox watcher', () => {
  it('hands on new mail once each, in UID order, announced by IDLE without waiting for the poll', async () => {
    const user = 'order@example.net';
    const keyPrefix = newPrefix();
    const ids = [await send(user, 'm1'), await send(user, 'm2')];
    const t = watcher(user, keyPrefix, { pollIntervalMs: 10 * 60_000 });
    await t.w.start();
    await eventually('the first two', () => t.received.length === 2);
    ids.push(await send(user, 'm3')); // arrives while the watcher IDLEs; only IDLE can announce it in time
    await eventually('the third', () => t.received.length === 3, 20_000);
    expect(t.received.map((m) => [m.uid, m.messageId])).toEqual([
      [1, ids[0]],
      [2, ids[1]],
      [3, ids[2]],
    ]);
    expect(new Set(t.received.map((m) => m.uidValidity)).size).toBe(1);
    expect(t.subjects()).toEqual(['m1', 'm2', 'm3']);
    const keys = await redis.keys(`${keyPrefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${keyPrefix}:imap:`))).toBe(true);
    expect((await dovecot.list(user, 'INBOX')).length).toBe(3);
  });

  it('offers a message again when the hand-off fails, keeping later ones behind it', async () => {
    const user = 'handoff@example.net';
    let failures = 0;
    const attempts: number[] = [];
    const t = watcher(user, newPrefix(), {
      onMessage: async (m) => {
        attempts.push(m.uid);
        if (m.uid === 2 && failures++ === 0) throw new Error('queue unavailable');
        t.received.push(m);
      },
    });
    for (const s of ['first', 'second', 'third']) await send(user, s);
    await t.w.start();
    await eventually('all three', () => t.received.length === 3);
    expect(attempts).toEqual([1, 2, 2, 3]);
    expect(t.subjects()).toEqual(['first', 'second', 'third']);
  });

  it('after a restart hands on only what arrived while it was down', async () => {
    const user = 'restart@example.net';
    const keyPrefix = newPrefix();
    for (const s of ['a', 'b', 'c']) await send(user, s);
    const first = watcher(user, keyPrefix);
    await first.w.start();
    await eventually('three messages', () => first.received.length === 3);
    await first.w.stop();
    expect(first.state()).toBe('disconnected');
    await send(user, 'while-down');
    const second = watcher(user, keyPrefix);
    await second.w.start();
    await eventually('the missed message', () => second.received.length === 1);
    await send(user, 'after');
    await eventually('the next message', () => second.received.length === 2);
    expect(second.subjects()).toEqual(['while-down', 'after']);
    expect(second.received.map((m) => m.uid)).toEqual([4, 5]);
  });

  it('reconnects by itself when Dovecot restarts, losing and doubling nothing', async () => {
    const user = 'dovecot-restart@example.net';
    const t = watcher(user, newPrefix());
    await t.w.start();
    await send(user, 'before');
    await eventually('the first message', () => t.received.length === 1);
    await dovecot.restart();
    await send(user, 'after-1');
    await send(user, 'after-2');
    await eventually('all three', () => t.received.length === 3);
    await eventually('connected again', () => t.state() === 'connected');
    expect(t.subjects()).toEqual(['before', 'after-1', 'after-2']);
    expect(t.states).toContain('disconnected');
    expect(t.states.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);
  });

  it('replaces a connection that went silent without closing', async () => {
    const user = 'silent@example.net';
    const relay = await freezableRelay(dovecot.port);
    try {
      const url = dovecot.url(user).replace(`:${dovecot.port}`, `:${relay.port}`);
      const t = watcher(user, newPrefix(), { url });
      await t.w.start();
      await send(user, 'before');
      await eventually('the first message', () => t.received.length === 1);
      relay.freeze();
      await send(user, 'during');
      await eventually('the message sent while the old connection hung', () => t.received.length === 2);
      expect(t.subjects()).toEqual(['before', 'during']);
      expect(t.states).toContain('disconnected');
    } finally {
      await relay.close();
    }
  });

  it('lets only one of two watchers hand on; the other takes over when the first stops', async () => {
    const user = 'pair@example.net';
    const keyPrefix = newPrefix();
    const a = watcher(user, keyPrefix);
    const b = watcher(user, keyPrefix);
    await a.w.start();
    await eventually('a connected', () => a.state() === 'connected');
    await b.w.start();
    await eventually('b waiting', () => b.state() === 'waiting-for-lock');
    await send(user, 'one');
    await send(user, 'two');
    await eventually('a hands on both', () => a.received.length === 2);
    await a.w.stop();
    await eventually('b connected', () => b.state() === 'connected');
    await send(user, 'three');
    await eventually('b hands on the third', () => b.received.length === 1);
    expect(a.subjects()).toEqual(['one', 'two']);
    expect(b.subjects()).toEqual(['three']);
  });

  it('takes over from a holder whose Redis connection died, once its lease runs out', async () => {
    const user = 'crash@example.net';
    const keyPrefix = newPrefix();
    const doomed = new Redis(REDIS_URL);
    const a = watcher(user, keyPrefix, { redis: doomed });
    const b = watcher(user, keyPrefix);
    await a.w.start();
    await eventually('a connected', () => a.state() === 'connected');
    await b.w.start();
    await send(user, 'one');
    await eventually('a hands on', () => a.received.length === 1);
    doomed.disconnect(); // a can no longer renew nor release: its lease expires
    await eventually('b connected', () => b.state() === 'connected');
    await send(user, 'two');
    await eventually('b hands on', () => b.received.length === 1);
    expect(b.subjects()).toEqual(['two']);
    expect(a.subjects()).toEqual(['one']);
    expect(a.state()).toBe('waiting-for-lock');
  });

  it('files handed-on messages into Processed or Rejected once decided, creating the folders, deleting nothing', async () => {
    const user = 'filing@example.net';
    const outcomes = new Map<number, FilingFolder>();
    let failOnce = true;
    const t = watcher(user, newPrefix(), {
      fileOutcome: async (uid) => {
        if (uid === 3 && outcomes.has(3) && failOnce) {
          failOnce = false;
          throw new Error('outcome store unavailable');
        }
        return outcomes.get(uid);
      },
    });
    for (const s of ['ok', 'bad', 'later']) await send(user, s);
    await t.w.start();
    await eventually('all handed on', () => t.received.length === 3);
    outcomes.set(1, 'Processed').set(2, 'Rejected');
    await eventually(
      'two filed',
      async () =>
        (await dovecot.list(user, 'Rejected')).length === 1 && (await dovecot.list(user, 'Processed')).length === 1,
    );
    expect((await dovecot.list(user, 'INBOX')).map((m) => m.subject)).toEqual(['later']);
    outcomes.set(3, 'Processed'); // the first answer throws: the message stays and is filed on a later check
    await eventually('third filed', async () => (await dovecot.list(user, 'Processed')).length === 2);
    expect(failOnce).toBe(false);
    expect((await dovecot.list(user, 'Processed')).map((m) => m.subject)).toEqual(['ok', 'later']);
    expect((await dovecot.list(user, 'Rejected')).map((m) => m.subject)).toEqual(['bad']);
    expect(await dovecot.list(user, 'INBOX')).toEqual([]);
    expect(t.received.length).toBe(3);
  });

  it('hands on only the first maxMessageBytes of a 5 MB message', async () => {
    const user = 'huge@example.net';
    const { raw } = rawMail({
      from: 'customer@client.example',
      to: user,
      subject: 'huge',
      text: 'x'
        .repeat(76)
        .concat('\r\n')
        .repeat((5 * 1024 * 1024) / 78),
    });
    expect(raw.length).toBeGreaterThan(5_000_000);
    await dovecot.append(user, raw);
    await send(user, 'small');
    const warnings: object[] = [];
    const t = watcher(user, newPrefix(), { logger: { info: () => undefined, warn: (o) => warnings.push(o) } });
    await t.w.start();
    await eventually('both', () => t.received.length === 2);
    expect(t.received[0]!.source.length).toBe(1024 * 1024);
    expect(t.received[0]!.source.subarray(0, 1000).toString()).toBe(raw.slice(0, 1000));
    expect(t.received[0]!.messageId).toMatch(/@client\.example>$/);
    expect(t.subjects()).toEqual(['huge', 'small']);
    expect(warnings).toContainEqual(expect.objectContaining({ uid: 1, kept: 1024 * 1024 }));
  });

  it('starts over when the mailbox is recreated with a new UIDVALIDITY', async () => {
    const user = 'validity@example.net';
    const mailbox = 'activation';
    await send(user, 'old-1', mailbox);
    await send(user, 'old-2', mailbox);
    const keyPrefix = newPrefix();
    const t = watcher(user, keyPrefix, { mailbox });
    await t.w.start();
    await eventually('old mail', () => t.received.length === 2);
    await t.w.stop();
    await dovecot.session(user, async (c) => {
      await c.mailboxDelete(mailbox);
    });
    await send(user, 'new-1', mailbox); // UID 1 again, below the stored position (UID 2)
    const resumed = watcher(user, keyPrefix, { mailbox });
    await resumed.w.start();
    await eventually("the new mailbox's mail", () => resumed.received.length === 1);
    expect(resumed.subjects()).toEqual(['new-1']);
    expect(resumed.received[0]!.uid).toBe(1);
    expect(resumed.received[0]!.uidValidity).not.toBe(t.received[0]!.uidValidity);
  });

  it('survives a refused login without crashing, retrying until stopped', async () => {
    const warnings: object[] = [];
    const url = dovecot.url('badpass@example.net').replace('pw-badpass', 'wrong');
    const t = watcher('badpass@example.net', newPrefix(), {
      url,
      logger: { info: () => undefined, warn: (o) => warnings.push(o) },
    });
    await t.w.start();
    await eventually('two failed attempts', () => warnings.length >= 2);
    await t.w.stop();
    expect(t.received).toEqual([]);
    expect(t.states).not.toContain('connected');
    expect(t.state()).toBe('disconnected');
  });

  it('rejects a malformed IMAP URL with an error naming IMAP_URL', () => {
    const make = (url: string) =>
      new MailboxWatcher({
        url,
        redis,
        keyPrefix: 'unused',
        onMessage: async () => undefined,
        fileOutcome: async () => undefined,
      });
    for (const url of ['not a url', 'http://u:p@host', 'imap://host:143', 'imap://user@host']) {
      expect(() => make(url)).toThrow(ConfigError);
      expect(() => make(url)).toThrow(/IMAP_URL/);
    }
  });
});
