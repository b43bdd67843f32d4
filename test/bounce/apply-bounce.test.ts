import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBounce } from '../../src/bounce/apply-bounce.ts';
import { parseDsn, type DeliveryStatusReport } from '../../src/bounce/parse-dsn.ts';
import { bouncesTotal } from '../../src/metrics.ts';
import type { DeliveryRecord } from '../../src/store/deliveries.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { deliveredOrder, orderDeliveries } from './delivered.ts';
import { sample } from './samples.ts';

let sink: SmtpSink;
let pipeline: TestPipeline;

const bounces = async () => (await bouncesTotal.get()).values[0]?.value ?? 0;
const report = (name: string, d: Pick<DeliveryRecord, 'recipient' | 'messageId'>) =>
  parseDsn(sample(name, { recipient: d.recipient, messageId: d.messageId })) as Promise<DeliveryStatusReport>;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline({ SMTP_URL: sink.url });
}, 60_000);

/** Each test bounces its own order's messages: none depends on what another bounced. */
async function twoRecipients(tag: string) {
  const { orderNumber, deliveries } = await deliveredOrder(pipeline, tag, 2);
  const [first, second] = deliveries as [DeliveryRecord, DeliveryRecord];
  return { orderNumber, first, second };
}

afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

describe('applyBounce', () => {
  it('leaves a delay report alone', async () => {
    const { orderNumber, first } = await twoRecipients('bounce-delay');
    expect(await applyBounce(pipeline.ctx, await report('postfix-delayed', first))).toBe('not-a-failure');
    expect((await orderDeliveries(pipeline, orderNumber)).map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('marks the recipient bounced with the reason; support sees it on the order, admins in the audit', async () => {
    const { orderNumber, first, second } = await twoRecipients('bounce-unknown-user');
    const before = await bounces();
    expect(await applyBounce(pipeline.ctx, await report('postfix-user-unknown', first))).toBe('bounced');

    const [a, b] = await orderDeliveries(pipeline, orderNumber);
    expect(a).toMatchObject({
      id: first.id,
      recipient: first.recipient,
      status: 'bounced',
      lastError: expect.stringMatching(/^5\.1\.1 550 5\.1\.1 .*User unknown/),
    });
    expect(Date.parse(a!.bouncedAt!)).not.toBeNaN();
    expect(b).toMatchObject({ id: second.id, status: 'sent' });
    expect(await bounces()).toBe(before + 1);

    const audit = await pipeline.get(`/v1/audit?order=${orderNumber}`, TEST_TOKENS.admin);
    expect(audit.json().entries[0]).toMatchObject({
      actor: 'bounce',
      action: 'bounce',
      order: orderNumber,
      outcome: 'bounced',
      detail: { deliveryId: first.id, recipient: first.recipient, status: '5.1.1' },
    });
  });

  it('applies a report twice only once', async () => {
    const { first } = await twoRecipients('bounce-twice');
    const before = await bounces();
    expect(await applyBounce(pipeline.ctx, await report('postfix-user-unknown', first))).toBe('bounced');
    expect(await applyBounce(pipeline.ctx, await report('postfix-user-unknown', first))).toBe('already-bounced');
    expect(await bounces()).toBe(before + 1);
  });

  it('picks our recipient out of a multi-recipient report', async () => {
    const { orderNumber, second } = await twoRecipients('bounce-multi');
    expect(await applyBounce(pipeline.ctx, await report('sendmail-multi-recipient', second))).toBe('bounced');
    const [, b] = await orderDeliveries(pipeline, orderNumber);
    expect(b).toMatchObject({
      status: 'bounced',
      lastError: expect.stringMatching(/^5\.1\.2 550 5\.1\.2 Host unknown/),
    });
  });

  it('ignores reports about messages that are not ours or do not match the stored Message-ID', async () => {
    const { deliveries: [other] = [] } = await deliveredOrder(pipeline, 'bounce-foreign', 1);
    const foreignDomain = other!.messageId.replace(/@[^>]+>$/, '@elsewhere.example>');
    for (const messageId of ['<unrelated.1234@courier.example>', foreignDomain, 'not-a-message-id']) {
      expect(
        await applyBounce(
          pipeline.ctx,
          await report('postfix-user-unknown', { recipient: other!.recipient, messageId }),
        ),
      ).toBe('unknown-message');
    }
    const withoutOriginal = { failed: [{ recipient: other!.recipient, status: '5.1.1' }] };
    expect(await applyBounce(pipeline.ctx, withoutOriginal)).toBe('unknown-message');
    expect((await pipeline.ctx.deliveries.get(other!.id))?.status).toBe('sent');
  });
});
