import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';
import type { OrderView } from '../../src/support/order-view.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
const ORDER = DELIVERED_ORDER;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder({
    RESENDS_PER_ORDER_PER_HOUR: '4',
    RESEND_ALLOWED_DOMAINS: 'procurement.example',
  }));
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

/**
 * The example order under an order number, event id, SSRNs and codes of its own, shipped and delivered: each test
 * resends its own order, so none depends on what another sent or counted.
 */
async function ownOrder(n: number) {
  const event = rawExample('order-ex-srx');
  event.eventId = `${event.eventId}-${n}`;
  event.salesOrder.number = String(Number(ORDER) + n);
  for (const line of event.lines) {
    line.ssrn = `${line.ssrn}-${n}`;
    line.activationCode = `${line.activationCode}-${n}`;
  }
  expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
  const [ex, srx] = event.lines.map((l) => l.ssrn) as [string, string];
  await messagesOf(ex, 2);
  return { number: event.salesOrder.number, ex, srx };
}

/** Waits for `count` messages whose text names `ssrn`, and returns them in the order they arrived. */
async function messagesOf(ssrn: string, count: number) {
  const deadline = Date.now() + 20_000;
  const named = () => sink.messages.filter((m) => (m.parsed.text ?? '').includes(ssrn));
  while (named().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} messages naming ${ssrn}, got ${named().length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return named();
}

const pdf = (m: SmtpSink['messages'][number]) =>
  m.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;
const resend = (order: string, body: unknown, token = TEST_TOKENS.support) =>
  pipeline.post(`/v1/orders/${order}/resend`, body, token);

describe('support: resend', () => {
  it('resends the whole order to its contacts: new deliveries, the same certificate bytes', async () => {
    const { number, ex } = await ownOrder(1);
    const res = await resend(number, { reason: 'customer says the email never arrived' });
    expect(res.statusCode).toBe(202);
    expect(res.json().deliveries).toHaveLength(2);
    const messages = await messagesOf(ex, 4);
    await pipeline.idle();
    for (const m of messages.slice(1)) expect(pdf(m).equals(pdf(messages[0]!))).toBe(true);
    const view = (await pipeline.get(`/v1/orders/${number}`)).json() as OrderView;
    const deliveries = view.fulfillments[0]!.deliveries;
    expect(deliveries.map((d) => [d.kind, d.status])).toEqual([
      ['fulfillment', 'sent'],
      ['fulfillment', 'sent'],
      ['resend', 'sent'],
      ['resend', 'sent'],
    ]);
    expect(deliveries[2]).toMatchObject({
      reason: 'customer says the email never arrived',
      requestedBy: 'support-token-2',
    });
    expect(new Set(deliveries.map((d) => d.messageId)).size).toBe(4);
  });

  it("resends chosen lines to a corrected address on the order's domain; the email lists only those lines", async () => {
    const { number, ex, srx } = await ownOrder(2);
    const first = await messagesOf(srx, 2);
    const res = await resend(number, { lines: ['2.1'], to: ['procurement@acme.example'], reason: 'new address' });
    expect(res.statusCode).toBe(202);
    const m = (await messagesOf(srx, 3))[2]!;
    expect(m.to).toEqual(['procurement@acme.example']);
    expect(m.parsed.text).not.toContain(ex);
    expect(pdf(m).equals(pdf(first[0]!))).toBe(true);
  });

  it('lets support send to an allowed domain, refuses other domains, and lets admin send anywhere', async () => {
    const { number, ex } = await ownOrder(3);
    expect((await resend(number, { to: ['buyer@procurement.example'], reason: 'allowed domain' })).statusCode).toBe(
      202,
    );
    const refused = await resend(number, { to: ['someone@elsewhere.example'], reason: 'try' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain('someone@elsewhere.example');
    const approved = { to: ['someone@elsewhere.example'], reason: 'approved by account manager' };
    expect((await resend(number, approved, TEST_TOKENS.admin)).statusCode).toBe(202);
    const reached = (await messagesOf(ex, 4)).slice(2).flatMap((m) => m.to);
    expect(reached.sort()).toEqual(['buyer@procurement.example', 'someone@elsewhere.example']);
  });

  it('names the field of a bad request and sends nothing', async () => {
    const { number, ex } = await ownOrder(4);
    const cases: Array<[unknown, string]> = [
      [{ reason: '' }, 'reason'],
      [{ reason: '   ' }, 'reason'],
      [{}, 'reason'],
      [{ reason: 'x', lines: ['9.9'] }, 'lines[0]'],
      [{ reason: 'x', to: ['not-an-address'] }, 'to[0]'],
      [{ reason: 'x', to: [] }, 'to'],
      [{ reason: 'x', extra: 1 }, '(root)'],
      [{ reason: 'x'.repeat(501) }, 'reason'],
    ];
    for (const [body, path] of cases) {
      const res = await resend(number, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await resend('99999999', { reason: 'x' })).statusCode).toBe(404);
    await pipeline.idle();
    expect(await messagesOf(ex, 2)).toHaveLength(2);
  });

  it('limits resends per order per hour', async () => {
    const { number } = await ownOrder(5);
    // RESENDS_PER_ORDER_PER_HOUR=4 counts the requests that passed validation.
    for (let i = 0; i < 4; i++)
      expect((await resend(number, { lines: ['1.1'], reason: `try ${i}` })).statusCode).toBe(202);
    const res = await resend(number, { reason: 'one too many' });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('support: certificate and audit', () => {
  it('serves the certificate with its file name, the bytes that were attached', async () => {
    const res = await pipeline.get(`/v1/orders/${ORDER}/certificate.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="Software-Entitlement-Certificate-SEC-15563238-20261128-2053E6.pdf"',
    );
    expect(Buffer.from(res.rawPayload).equals(pdf(sink.messages[0]!))).toBe(true);
    expect((await pipeline.get('/v1/orders/00000000/certificate.pdf')).statusCode).toBe(404);
  });

  it('keeps an audit trail of intake and resends, newest first, paged', async () => {
    const { number } = await ownOrder(6);
    expect((await resend(number, { reason: 'audited' })).statusCode).toBe(202);
    expect((await resend(number, { lines: ['1.1'], reason: 'audited too' })).statusCode).toBe(202);
    expect((await resend(number, { to: ['someone@elsewhere.example'], reason: 'refused' })).statusCode).toBe(403);
    const res = await pipeline.get(`/v1/audit?order=${number}&limit=100`, TEST_TOKENS.admin);
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as Array<{
      action: string;
      outcome: string;
      actor: string;
      at: string;
      id: number;
    }>;
    expect(entries.map((e) => [e.action, e.outcome, e.actor])).toEqual([
      ['resend', 'rejected', 'support-token-2'],
      ['resend', 'queued', 'support-token-2'],
      ['resend', 'queued', 'support-token-2'],
      ['intake', 'accepted', 'intake-token-1'],
    ]);
    const page1 = (await pipeline.get(`/v1/audit?order=${number}&limit=2`, TEST_TOKENS.admin)).json();
    const page2 = (
      await pipeline.get(`/v1/audit?order=${number}&limit=2&before=${page1.next}`, TEST_TOKENS.admin)
    ).json();
    expect(page2.entries[0].id).toBe(entries[2]!.id);
    expect((await pipeline.get('/v1/audit?limit=0', TEST_TOKENS.admin)).statusCode).toBe(400);
    for (const bad of ['abc', '0', '-3', '1.5', '1712345678901-0']) {
      const refused = await pipeline.get(`/v1/audit?before=${bad}`, TEST_TOKENS.admin);
      expect(refused.statusCode, bad).toBe(400);
      expect(
        refused.json().issues.map((i: { path: string }) => i.path),
        bad,
      ).toEqual(['before']);
    }
  });
});
