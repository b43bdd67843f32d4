import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { TEST_TOKENS } from '../support/app.ts';
import { rawExample } from '../support/events.ts';
import type { OrderView } from '../../src/support/order-view.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
const ORDER = '15563238';
const pdfOf = (i: number) =>
  sink.messages[i]!.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;

beforeAll(async () => {
  sink = await startSmtpSink();
  pipeline = await startPipeline({
    SMTP_URL: sink.url,
    RESENDS_PER_ORDER_PER_HOUR: '4',
    RESEND_ALLOWED_DOMAINS: 'procurement.example',
  });
  expect((await pipeline.post('/v1/fulfillments', rawExample('order-ex-srx'))).statusCode).toBe(202);
  await sink.waitFor(2);
  await pipeline.idle();
});
afterAll(async () => {
  await pipeline.close();
  await sink.close();
});

const resend = (body: unknown, token = TEST_TOKENS.support, order = ORDER) =>
  pipeline.post(`/v1/orders/${order}/resend`, body, token);

describe('support: resend', () => {
  it('resends the whole order to its contacts: new deliveries, the same certificate bytes', async () => {
    const res = await resend({ reason: 'customer says the email never arrived' });
    expect(res.statusCode).toBe(202);
    expect(res.json().deliveries).toHaveLength(2);
    await sink.waitFor(4);
    await pipeline.idle();
    expect(pdfOf(2).equals(pdfOf(0))).toBe(true);
    expect(pdfOf(3).equals(pdfOf(0))).toBe(true);
    const view = (await pipeline.get(`/v1/orders/${ORDER}`)).json() as OrderView;
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
    const res = await resend({ lines: ['2.1'], to: ['procurement@acme.example'], reason: 'new procurement address' });
    expect(res.statusCode).toBe(202);
    await sink.waitFor(5);
    const m = sink.messages[4]!;
    expect(m.to).toEqual(['procurement@acme.example']);
    expect(m.parsed.text).toContain('SSRN8B3N5V2C7D');
    expect(m.parsed.text).not.toContain('SSRN4K7Q2M9X1A');
    expect(pdfOf(4).equals(pdfOf(0))).toBe(true);
  });

  it('lets support send to an allowed domain, refuses other domains, and lets admin send anywhere', async () => {
    expect((await resend({ to: ['buyer@procurement.example'], reason: 'allowed domain' })).statusCode).toBe(202);
    const refused = await resend({ to: ['someone@elsewhere.example'], reason: 'try' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain('someone@elsewhere.example');
    expect(
      (await resend({ to: ['someone@elsewhere.example'], reason: 'approved by account manager' }, TEST_TOKENS.admin))
        .statusCode,
    ).toBe(202);
    await sink.waitFor(7);
  });

  it('names the field of a bad request and sends nothing', async () => {
    const before = sink.messages.length;
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
      const res = await resend(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await resend({ reason: 'x' }, TEST_TOKENS.support, '99999999')).statusCode).toBe(404);
    await pipeline.idle();
    expect(sink.messages.length).toBe(before);
  });

  it('limits resends per order per hour', async () => {
    // Four were accepted above (RESENDS_PER_ORDER_PER_HOUR=4 counts attempts that passed validation).
    const res = await resend({ reason: 'one too many' });
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
    expect(Buffer.from(res.rawPayload).equals(pdfOf(0))).toBe(true);
    expect((await pipeline.get('/v1/orders/00000000/certificate.pdf')).statusCode).toBe(404);
  });

  it('keeps an audit trail of intake and resends, newest first, paged', async () => {
    const res = await pipeline.get(`/v1/audit?order=${ORDER}&limit=100`, TEST_TOKENS.admin);
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as Array<{
      action: string;
      outcome: string;
      actor: string;
      at: string;
      id: number;
    }>;
    expect(entries.at(-1)).toMatchObject({ action: 'intake', outcome: 'accepted', actor: 'intake-token-1' });
    expect(entries.filter((e) => e.action === 'resend' && e.outcome === 'queued')).toHaveLength(4);
    expect(entries.filter((e) => e.action === 'resend' && e.outcome === 'rejected').length).toBeGreaterThanOrEqual(2);
    const page1 = (await pipeline.get(`/v1/audit?order=${ORDER}&limit=2`, TEST_TOKENS.admin)).json();
    const page2 = (
      await pipeline.get(`/v1/audit?order=${ORDER}&limit=2&before=${page1.next}`, TEST_TOKENS.admin)
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
