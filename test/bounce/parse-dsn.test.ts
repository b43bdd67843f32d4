import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/bounce/parse-dsn.ts';
import { SAMPLE_MESSAGE_ID as ID, SAMPLE_RECIPIENT as TO, sample } from './samples.ts';

describe('parseDsn', async () => {
  it('reads a Postfix bounce: recipient, status, unfolded diagnostic, Message-ID of the returned message', async () => {
    expect(await parseDsn(sample('postfix-user-unknown'))).toEqual({
      originalMessageId: ID,
      failed: [
        {
          recipient: TO,
          status: '5.1.1',
          diagnostic: `550 5.1.1 <${TO}>: Recipient address rejected: User unknown in virtual mailbox table`,
        },
      ],
    });
  });

  it('reads an Exchange NDR: quoted report-type, nested alternative part, headers-only original with a folded Message-ID', async () => {
    expect(await parseDsn(sample('exchange-mailbox-full'))).toEqual({
      originalMessageId: ID,
      failed: [
        {
          recipient: TO,
          status: '5.2.2',
          diagnostic:
            '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded',
        },
      ],
    });
  });

  it('reports a delay as a DSN without failures: not a bounce', async () => {
    expect(await parseDsn(sample('postfix-delayed'))).toEqual({ originalMessageId: ID, failed: [] });
  });

  it('lists every failed recipient of a multi-recipient report (LF line ends), skipping the delayed one', async () => {
    const report = await parseDsn(sample('sendmail-multi-recipient'));
    expect(report?.originalMessageId).toBe(ID);
    expect(report?.failed).toEqual([
      {
        recipient: 'ops@acme-networks.example',
        status: '5.7.1',
        diagnostic: '550 5.7.1 Delivery not authorized, message refused',
      },
      {
        recipient: TO,
        status: '5.1.2',
        diagnostic: '550 5.1.2 Host unknown (Name server: old.acme-networks.example: host not found)',
      },
    ]);
  });

  it('leaves other mail alone: an auto-reply that talks like a bounce, a read receipt', async () => {
    expect(await parseDsn(sample('out-of-office'))).toBeUndefined();
    expect(await parseDsn(sample('read-receipt'))).toBeUndefined();
  });

  it('gives a report without Message-ID when the MTA returned no original, and survives a message cut short', async () => {
    const raw = sample('postfix-user-unknown').toString('latin1');
    const withoutOriginal = raw.slice(0, raw.indexOf('Content-Description: Undelivered Message'));
    expect(await parseDsn(Buffer.from(withoutOriginal, 'latin1'))).toEqual({
      failed: [expect.objectContaining({ recipient: TO, status: '5.1.1' })],
    });
    const cut = raw.slice(0, raw.indexOf('Guten Tag'));
    expect((await parseDsn(Buffer.from(cut, 'latin1')))?.originalMessageId).toBe(ID);
  });

  it('refuses malformed reports instead of guessing', async () => {
    const noStatusPart = sample('postfix-user-unknown')
      .toString('latin1')
      .replace('message/delivery-status', 'text/plain');
    expect(await parseDsn(Buffer.from(noStatusPart, 'latin1'))).toBeUndefined();
    const badStatus = sample('postfix-user-unknown').toString('latin1').replace('Status: 5.1.1', 'Status: bounced');
    expect((await parseDsn(Buffer.from(badStatus, 'latin1')))?.failed).toEqual([]);
    expect(
      await parseDsn(Buffer.from('Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary')),
    ).toBeUndefined();
    expect(await parseDsn(Buffer.alloc(0))).toBeUndefined();
  });
});
