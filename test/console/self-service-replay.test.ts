import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEntry } from '../../src/store/audit.ts';
import { csrfToken, FormClient } from '../support/console-client.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';

// A request sent twice (a form sent again, a client retrying after a lost answer) resends once. Each test asks for
// its own address of the order and counts only what reached it, so none depends on another.
const CONTACT = 'netops@acme.example';
const PARTNER = 'licensing@northwind.example';
let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder({
    RESENDS_PER_ORDER_PER_HOUR: '1000',
    SELF_SERVICE_PER_CLIENT_PER_HOUR: '1000',
    SELF_SERVICE_PER_ADDRESS_PER_HOUR: '1000',
    SELF_SERVICE_PER_REFERENCE_PER_HOUR: '1000',
  }));
});
afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

const json = (body: unknown, key?: string) =>
  pipeline.api.inject({
    method: 'POST',
    url: '/self-service/resend',
    payload: body as object,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });

/** The self-service audit lines about `email` (newest first), once `count` of them are written (after the answer). */
async function auditedFor(email: string, count: number): Promise<StoredAuditEntry[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await pipeline.ctx.audit.read({ limit: 500 });
    const lines = page.filter((e) => e.action === 'self-service-resend' && e.detail?.email === email);
    if (lines.length >= count) return lines;
    if (Date.now() > deadline) throw new Error(`expected ${count} audit lines for ${email}, found ${lines.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What `requests` requests about `email` sent it: waits for them all to be audited (their work runs after the answer)
 * and for the queues to be idle. `before`: the audit lines and messages about `email` before the first of them.
 */
async function resultOf(email: string, requests: number, before: { audited: number; messages: number }) {
  const lines = await auditedFor(email, before.audited + requests);
  await pipeline.idle();
  return {
    // Sorted: each request's work runs after its answer, so two sent close together may be audited in either order.
    outcomes: lines
      .slice(0, requests)
      .map((e) => e.outcome)
      .sort(),
    messages: sink.messages.filter((m) => m.to.includes(email)).length - before.messages,
  };
}

async function now(email: string) {
  await pipeline.idle();
  return {
    audited: (await auditedFor(email, 0)).length,
    messages: sink.messages.filter((m) => m.to.includes(email)).length,
  };
}

describe('a self-service request sent twice', () => {
  it('on the form: the same page posted twice resends once, and the second answer is the same page', async () => {
    const before = await now(PARTNER);
    const browser = new FormClient(pipeline.api);
    const html = (await browser.get('/self-service/')).body;
    const requestKey = /name="requestKey" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(requestKey).toMatch(/^[0-9a-f-]{36}$/);
    const form = { _csrf: csrfToken(html, '/self-service/resend'), requestKey, reference: DELIVERED_ORDER };
    const answers = [
      await browser.post('/self-service/resend', { ...form, email: PARTNER }),
      await browser.post('/self-service/resend', { ...form, email: PARTNER.toUpperCase() }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(answers[1]!.body).toBe(answers[0]!.body);
    expect(await resultOf(PARTNER, 2, before)).toEqual({ outcomes: ['replayed', 'resent'], messages: 1 });
    // Another page is another key: asked again, the email is sent again.
    await browser.submit('/self-service/', '/self-service/resend', { reference: DELIVERED_ORDER, email: PARTNER });
    expect(await resultOf(PARTNER, 3, before)).toMatchObject({ messages: 2 });
  });

  it('on JSON with an Idempotency-Key: once per key; the key with another reference or address is a new request', async () => {
    const before = await now(CONTACT);
    const key = `retry-${Date.now()}`;
    const first = await json({ reference: DELIVERED_ORDER, email: CONTACT }, key);
    const again = await json({ reference: DELIVERED_ORDER, email: CONTACT }, key);
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.body).toBe(first.body);
    expect(await resultOf(CONTACT, 2, before)).toEqual({ outcomes: ['replayed', 'resent'], messages: 1 });
    // The same key by SSRN (another reference to the same order) is not a replay of the request by order number.
    expect((await json({ reference: 'SSRN4K7Q2M9X1A', email: CONTACT }, key)).statusCode).toBe(202);
    expect(await resultOf(CONTACT, 3, before)).toEqual({ outcomes: ['replayed', 'resent', 'resent'], messages: 2 });
  });

  it('names the key when it is malformed, in the header and in the form', async () => {
    const bad = await json({ reference: DELIVERED_ORDER, email: CONTACT }, 'has space');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters (a UUID, say)' },
    ]);
    const browser = new FormClient(pipeline.api);
    const page = await browser.submit('/self-service/', '/self-service/resend', {
      requestKey: 'x'.repeat(256),
      reference: DELIVERED_ORDER,
      email: CONTACT,
    });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('requestKey:');
  });
});
