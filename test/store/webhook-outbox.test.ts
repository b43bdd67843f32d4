import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEndpoints } from '../../src/store/webhook-endpoints.ts';
import { recordWebhookEvents } from '../../src/store/webhook-outbox.ts';
import { webhookEvent } from '../../src/webhook-rules/events.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { subscribe } from '../support/webhook-subscriber.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const AT = new Date('2027-03-01T10:00:00Z');
const sent = (key: string) =>
  webhookEvent(
    'delivery.sent',
    key,
    {
      orderNumber: '20000001',
      fulfillmentId: 'ful-1',
      deliveryId: key,
      kind: 'fulfillment',
      recipient: 'ops@buyer.example',
      lines: [{ lineNumber: '1', ssrn: 'S1' }],
      messageId: `<${key}@courier.example>`,
    },
    AT,
  );
const scheduled = (key: string) =>
  webhookEvent(
    'fulfillment.scheduled',
    key,
    {
      orderNumber: '20000001',
      eventId: 'evt-1',
      fulfillmentId: key,
      shipDate: '2027-03-05',
      lines: [{ lineNumber: '1', ssrn: 'S1' }],
      recipients: ['ops@buyer.example'],
    },
    AT,
  );
const recorded = async () =>
  (await t.db.query<{ id: string }>('SELECT id FROM webhook_events ORDER BY id')).map((r) => r.id);

describe('webhook outbox', () => {
  it('keeps only the events an enabled endpoint wants', async () => {
    await t.db.transaction((tx) => recordWebhookEvents(tx, [sent('d-none')]));
    expect(await recorded()).toEqual([]);

    const endpoint = await subscribe(t.db, ['delivery.sent']);
    const wanted = sent('d-wanted');
    await t.db.transaction((tx) => recordWebhookEvents(tx, [wanted, scheduled('f-unwanted')]));
    expect(await recorded()).toEqual([wanted.id]);

    await t.db.transaction((tx) => new WebhookEndpoints(t.db).disable(tx, endpoint.id, AT, 'test'));
    await t.db.transaction((tx) => recordWebhookEvents(tx, [sent('d-disabled')]));
    expect(await recorded()).toEqual([wanted.id]);
  });
});
