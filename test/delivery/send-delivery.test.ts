import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { renderCertificate } from '../../src/certificate/render.ts';
import { preparedFulfillments } from '../../src/delivery/prepared-fulfillments.ts';
import { sendDelivery, type SendDeps } from '../../src/delivery/send-delivery.ts';
import { createEmailRenderer } from '../../src/email/render.ts';
import { DeliveryError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { smtpTransport, type MailTransport } from '../../src/mail/transport.ts';
import type { DeliveryRecord } from '../../src/store/deliveries.ts';
import { ManualClock } from '../support/app.ts';
import { TEST_BRAND } from '../support/documents.ts';
import { makeEvent } from '../support/events.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  countRows,
  shippedOrder,
  startUseCaseWorld,
  webhookEventTypes,
  type UseCaseWorld,
} from '../support/use-cases.ts';

// The send use case called directly: real repositories on PostgreSQL, the real renderer, a real SMTP transport and
// server. The server greylists (451) every address at greylist.example and refuses (550) every one at refuse.example.

const clock = new ManualClock(new Date('2026-11-28T10:00:00Z'));
let world: UseCaseWorld;
let sink: SmtpSink;
let transport: MailTransport;
let deps: SendDeps;
const attemptsAt = new Map<string, number>();

beforeAll(async () => {
  world = await startUseCaseWorld();
  sink = await startSmtpSink();
  sink.onRecipient = ({ recipient }) => {
    attemptsAt.set(recipient!, (attemptsAt.get(recipient!) ?? 0) + 1);
    if (recipient!.endsWith('.greylist.example')) return { code: 451, message: '4.7.1 Greylisted, try again later' };
    if (recipient!.endsWith('.refuse.example')) return { code: 550, message: '5.1.1 No such user' };
    return undefined;
  };
  transport = smtpTransport(sink.url, { poolSize: 2, timeoutMs: 10_000 });
  const { stores } = world;
  deps = {
    deliveries: stores.deliveries,
    prepared: preparedFulfillments({ ...stores, catalog: loadCatalog(), brand: TEST_BRAND, renderCertificate }),
    clock,
    emails: await createEmailRenderer(),
    transport,
    mailFrom: 'Licensing <licensing@courier.example>',
    logger: createLogger('silent'),
    events: stores,
    audit: stores.audit,
  };
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await world.close();
});

/** The deliveries of an order of `recipients` contacts at `domain`, accepted and fanned out. */
async function shippedTo(tag: string, recipients: number, domain: string): Promise<DeliveryRecord[]> {
  const event = makeEvent(tag, recipients);
  event.salesOrder.contacts = event.salesOrder.contacts.map((c, i) => ({ ...c, email: `user${i}@${tag}.${domain}` }));
  const { fulfillments } = await shippedOrder(world, clock, event);
  return world.stores.deliveries.forFulfillment(fulfillments[0]!.id);
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const eventsOf = (d: DeliveryRecord) => webhookEventTypes(world, d.orderNumber);
const messagesTo = (email: string) => sink.messages.filter((m) => m.to.includes(email));

describe('send (sendDelivery)', () => {
  it('sends one message with the stored certificate and records its acceptance, once', async () => {
    const [d, other] = await shippedTo('send-once', 2, 'example.com');
    expect(await sendDelivery(deps, d!.id, 1, 3)).toBe('sent');

    const [message, ...more] = messagesTo(d!.recipient);
    expect(more).toEqual([]);
    expect(message!.parsed.messageId).toBe(d!.messageId);
    expect(message!.parsed.subject).toContain(d!.orderNumber);
    const pdf = message!.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;
    expect(pdf.equals((await world.stores.fulfillments.certificate(d!.fulfillmentId))!)).toBe(true);
    const [record] = (await world.stores.deliveries.forOrder(d!.orderNumber)).filter((r) => r.id === d!.id);
    expect(record).toMatchObject({ status: 'sent', attempts: 1, acceptedAt: '2026-11-28T10:00:00.000Z' });
    expect(record!.smtpResponse).toMatch(/^250 /);
    expect(record!.attemptLog).toEqual([
      { attempt: 1, at: '2026-11-28T10:00:00.000Z', outcome: 'sent', response: record!.smtpResponse },
    ]);
    expect((await eventsOf(d!)).filter((t) => t.startsWith('delivery.'))).toEqual(['delivery.sent']);
    // The other recipient's delivery is its own job: untouched.
    expect((await world.stores.deliveries.get(other!.id))?.status).toBe('queued');

    // A retried job (its worker died after the 250): nothing sent again, nothing recorded again.
    expect(await sendDelivery(deps, d!.id, 2, 3)).toBe('already-sent');
    expect(messagesTo(d!.recipient)).toHaveLength(1);
    expect((await world.stores.deliveries.get(d!.id))?.attempts).toBe(1);
    expect((await eventsOf(d!)).filter((t) => t.startsWith('delivery.'))).toEqual(['delivery.sent']);
  });

  it('a fulfillment whose stored certificate is gone gets it rendered again from its records, stored, and attached', async () => {
    const [d, other] = await shippedTo('send-lost-certificate', 2, 'example.com');
    // Rows removed by hand, or a restore that missed them: the message must still go out whole.
    await world.database.db.query('DELETE FROM certificates WHERE fulfillment_id = $1', [d!.fulfillmentId]);
    expect(await sendDelivery(deps, d!.id, 1, 3)).toBe('sent');
    const stored = (await world.stores.fulfillments.certificate(d!.fulfillmentId))!;
    expect(stored.subarray(0, 5).toString()).toBe('%PDF-');
    // The other recipient, sent by another worker with nothing remembered, attaches the very bytes now stored.
    const elsewhere = {
      ...deps,
      prepared: preparedFulfillments({ ...world.stores, catalog: loadCatalog(), brand: TEST_BRAND, renderCertificate }),
    };
    expect(await sendDelivery(elsewhere, other!.id, 1, 3)).toBe('sent');
    for (const recipient of [d!.recipient, other!.recipient]) {
      const [message] = messagesTo(recipient);
      const pdf = message!.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;
      expect(pdf.equals(stored)).toBe(true);
    }
  });

  it('a 4xx is retryable until the last attempt, which makes it failed; after that nothing is tried', async () => {
    const [d] = await shippedTo('send-greylisted', 1, 'greylist.example');
    const first = await deliveryError(sendDelivery(deps, d!.id, 1, 3));
    expect([first.permanent, first.failureClass]).toEqual([false, 'temporary']);
    expect(await world.stores.deliveries.get(d!.id)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastError: expect.stringContaining('451'),
    });
    expect(await deliveryError(sendDelivery(deps, d!.id, 2, 3))).toMatchObject({ permanent: false });
    const last = await deliveryError(sendDelivery(deps, d!.id, 3, 3));
    expect(last.permanent).toBe(true);
    const failed = await world.stores.deliveries.get(d!.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('4.7.1') });
    expect(failed!.failedAt).toBe('2026-11-28T10:00:00.000Z');
    expect(attemptsAt.get(d!.recipient)).toBe(3);

    expect(await sendDelivery(deps, d!.id, 4, 3)).toBe('already-failed');
    expect(attemptsAt.get(d!.recipient)).toBe(3);
    // Its only recipient is unreachable: the order is undeliverable, said once.
    expect(await eventsOf(d!)).toEqual(['delivery.failed', 'fulfillment.accepted', 'order.undeliverable']);
  });

  it('a 5xx fails at once; when the last recipient fails the order is undeliverable, recorded and audited once', async () => {
    const [a, b] = await shippedTo('send-refused', 2, 'refuse.example');
    expect(await deliveryError(sendDelivery(deps, a!.id, 1, 3))).toMatchObject({
      permanent: true,
      failureClass: 'recipient-rejected',
    });
    expect(await world.stores.deliveries.get(a!.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await eventsOf(a!)).toEqual(['delivery.failed', 'fulfillment.accepted']);

    await deliveryError(sendDelivery(deps, b!.id, 1, 3));
    expect(await eventsOf(a!)).toEqual([
      'delivery.failed',
      'delivery.failed',
      'fulfillment.accepted',
      'order.undeliverable',
    ]);
    const audit = await world.stores.audit.read({ order: a!.orderNumber, limit: 10 });
    expect(audit.filter((e) => e.action === 'order.undeliverable')).toHaveLength(1);
    expect(await countRows(world, 'deliveries', "order_number = $1 AND status = 'failed'", [a!.orderNumber])).toBe(2);
  });

  it('answers missing for a delivery it does not know, and sends nothing', async () => {
    const before = sink.messages.length;
    expect(await sendDelivery(deps, 'f-00000000-20261128-000000.000000000000', 1, 3)).toBe('missing');
    expect(sink.messages).toHaveLength(before);
  });
});
