import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteIfUndeliverable, notifySupport } from '../../src/delivery/note-undeliverable.ts';
import { smtpTransport } from '../../src/mail/transport.ts';
import type { Queryable } from '../../src/store/db.ts';
import { UndeliverableFulfillments } from '../../src/store/undeliverable.ts';
import { WebhookOutbox } from '../../src/store/webhook-outbox.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { subscribe } from '../support/webhook-subscriber.ts';

let database: TestDatabase;
let sink: SmtpSink;
beforeAll(async () => {
  database = await createTestDatabase();
  await subscribe(database.db);
  sink = await startSmtpSink();
});
afterAll(async () => {
  await database?.drop();
  await sink?.close();
});

// The rows the core pipeline writes for one order of two lines shipped to two recipients (001_core.sql).
async function seedFulfillment(db: Queryable, order: string, recipients: string[]): Promise<void> {
  const at = '2026-12-07T10:00:00Z';
  await db.query(`INSERT INTO events VALUES ($1, 'd', '{}', '{}', $2, 'intake')`, [`evt-${order}`, at]);
  await db.query(`INSERT INTO orders VALUES ($1, NULL, '{"name":"ACME"}', 'en', '{}', $2)`, [order, at]);
  await db.query(`INSERT INTO fulfillments VALUES ($1, $2, $3, '2026-12-07', $4, $5, $6, $6)`, [
    `ful-${order}`,
    `evt-${order}`,
    order,
    `C-${order}`,
    [`S1${order}`, `S2${order}`],
    at,
  ]);
  for (const [i, ssrn] of [`S1${order}`, `S2${order}`].entries()) {
    await db.query(
      `INSERT INTO entitlements (ssrn, activation_code, order_number, event_id, fulfillment_id, position, line_number, sku, product, license_name,
      description, quantity, license_type, purchase, ship_date, start_date, grace_days) VALUES ($1, $2, $3, $4, $5, $6, $7, 'S-EX-A-C1-3', 'ex', 'EX', 'd', 1,
      'perpetual', 'initial', '2026-12-07', '2026-12-07', 0)`,
      [ssrn, `code-${ssrn}`, order, `evt-${order}`, `ful-${order}`, i, String((i + 1) * 10)],
    );
  }
  for (const r of recipients) {
    await db.query(
      `INSERT INTO deliveries (id, order_number, fulfillment_id, recipient, kind, status, message_id, created_at)
      VALUES ($1, $2, $3, $4, 'fulfillment', 'sent', $5, $6)`,
      [`dlv-${order}-${r}`, order, `ful-${order}`, r, `<dlv-${order}-${r}@courier.example>`, at],
    );
  }
}

describe('an order nobody could be reached for', () => {
  it('two last bounces at the same moment: exactly one order.undeliverable and one message to support naming each last error', async () => {
    const db = database.db;
    const repo = new UndeliverableFulfillments(db);
    const outbox = new WebhookOutbox(db);
    await seedFulfillment(db, '15563238', ['a@buyer.example', 'b@buyer.example']);
    const bounce = (recipient: string, error: string) =>
      db.transaction(async (tx) => {
        await tx.query(`UPDATE deliveries SET status = 'bounced', last_error = $2 WHERE id = $1`, [
          `dlv-15563238-${recipient}`,
          error,
        ]);
        return noteIfUndeliverable({ undeliverable: repo, outbox }, tx, 'ful-15563238', new Date());
      });
    const results = await Promise.all([
      bounce('a@buyer.example', '5.1.1 smtp; 550 user unknown'),
      bounce('b@buyer.example', '5.2.2 mailbox full'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // A later failure of the same fulfillment (a resend that bounced too) does not make a second event.
    expect(await bounce('a@buyer.example', '5.1.1 again')).toBeUndefined();

    const events = await db.query<{ type: string; body: string }>(
      `SELECT type, body FROM webhook_events WHERE order_number = '15563238'`,
    );
    expect(events.map((e) => e.type)).toEqual(['order.undeliverable']);
    expect(JSON.parse(events[0]!.body).data).toEqual({
      orderNumber: '15563238',
      fulfillmentId: 'ful-15563238',
      lines: [
        { lineNumber: '10', ssrn: 'S115563238' },
        { lineNumber: '20', ssrn: 'S215563238' },
      ],
      recipients: [
        { recipient: 'a@buyer.example', status: 'bounced', lastError: '5.1.1 smtp; 550 user unknown' },
        { recipient: 'b@buyer.example', status: 'bounced', lastError: '5.2.2 mailbox full' },
      ],
    });

    const transport = smtpTransport(sink.url, { poolSize: 1, timeoutMs: 5_000 });
    try {
      const deps = {
        db,
        undeliverable: repo,
        transport,
        mailFrom: 'Licensing <licensing@courier.example>',
        mailFromAddress: 'licensing@courier.example',
        supportEmail: 'support@vendor.example',
        brandName: 'License Courier',
        clock: { now: () => new Date() },
      };
      const sent = await Promise.all([notifySupport(deps), notifySupport(deps), notifySupport(deps)]);
      expect(sent.reduce((a, b) => a + b)).toBe(1);
      expect(await notifySupport(deps)).toBe(0);
    } finally {
      transport.close();
    }
    expect(sink.messages).toHaveLength(1);
    const message = sink.messages[0]!;
    expect(message.to).toEqual(['support@vendor.example']);
    expect(message.parsed.subject).toContain('Order 15563238');
    expect(message.parsed.text).toContain('a@buyer.example: bounced (5.1.1 smtp; 550 user unknown)');
    expect(message.parsed.text).toContain('b@buyer.example: bounced (5.2.2 mailbox full)');
    expect((await repo.forOrder('15563238'))[0]!.notifiedAt).not.toBeNull();
  });

  it('is not undeliverable while one recipient was reached', async () => {
    const db = database.db;
    const repo = new UndeliverableFulfillments(db);
    await seedFulfillment(db, '15563239', ['a@buyer.example', 'b@buyer.example']);
    const result = await db.transaction(async (tx) => {
      await tx.query(
        `UPDATE deliveries SET status = 'failed', last_error = '550 no' WHERE id = 'dlv-15563239-a@buyer.example'`,
      );
      return noteIfUndeliverable(
        { undeliverable: repo, outbox: new WebhookOutbox(db) },
        tx,
        'ful-15563239',
        new Date(),
      );
    });
    expect(result).toBeUndefined();
    expect(await repo.forOrder('15563239')).toEqual([]);
  });
});
