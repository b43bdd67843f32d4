import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEntry } from '../../src/store/audit.ts';
import { FormClient } from '../support/console-client.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import { makeEvent } from '../support/events.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';

const ORDER = DELIVERED_ORDER;
const CONTACT = 'netops@acme.example';
const PARTNER = 'licensing@northwind.example';
const LIMITS = { client: 20, address: 3, reference: 5 };
let pipeline: TestPipeline;
let sink: SmtpSink;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder({
    RESENDS_PER_ORDER_PER_HOUR: '1000',
    SELF_SERVICE_PER_CLIENT_PER_HOUR: String(LIMITS.client),
    SELF_SERVICE_PER_ADDRESS_PER_HOUR: String(LIMITS.address),
    SELF_SERVICE_PER_REFERENCE_PER_HOUR: String(LIMITS.reference),
  }));
});
afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

let ip = 0;
/** Each call from its own client address unless one is given, so only the limit under test can bite. */
const request = (body: unknown, remoteAddress = `10.0.${(++ip >> 8) & 255}.${ip & 255}`) =>
  pipeline.api.inject({ method: 'POST', url: '/self-service/resend', payload: body as object, remoteAddress });

async function selfServiceAudit(): Promise<StoredAuditEntry[]> {
  const all: StoredAuditEntry[] = [];
  for (let before: number | undefined; ;) {
    const page = await pipeline.ctx.audit.read({ limit: 500, ...(before && { before }) });
    all.push(...page.filter((e) => e.action === 'self-service-resend'));
    if (page.length < 500) return all;
    before = page.at(-1)!.id;
  }
}

/** Waits until `count` self-service requests (of those `which` picks) are audited: the work runs after the answer. */
async function audited(
  count: number,
  which: (e: StoredAuditEntry) => boolean = () => true,
): Promise<StoredAuditEntry[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const entries = (await selfServiceAudit()).filter(which);
    if (entries.length >= count) return entries;
    if (Date.now() > deadline)
      throw new Error(`expected ${count} audited self-service requests, found ${entries.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pdfOf = (i: number) =>
  sink.messages[i]!.parsed.attachments.find((a) => a.contentType === 'application/pdf')!.content;

describe('self-service resend', () => {
  it('gives a contact, a stranger and an unknown reference the same answer; only the contact gets the email, with the same certificate', async () => {
    const before = sink.messages.length;
    const auditedBefore = (await selfServiceAudit()).length;
    const answers = [
      await request({ reference: ORDER, email: CONTACT.toUpperCase() }),
      await request({ reference: 'SSRN4K7Q2M9X1A', email: 'stranger@acme.example' }),
      await request({ reference: 'NO-SUCH-ORDER-1', email: CONTACT }),
    ];
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.body).toBe(answers[0]!.body);
    }
    const entries = await audited(auditedBefore + 3);
    expect(
      entries
        .slice(0, 3)
        .map((e) => e.outcome)
        .sort(),
    ).toEqual(['not-a-contact', 'resent', 'unknown-reference']);
    await sink.waitFor(before + 1);
    await pipeline.idle();
    expect(sink.messages).toHaveLength(before + 1);
    const resent = sink.messages[before]!;
    expect(resent.to).toEqual([CONTACT]);
    expect(resent.parsed.subject).toBe(sink.messages[0]!.parsed.subject);
    expect(pdfOf(before).equals(pdfOf(0))).toBe(true);
  });

  it('finds the order by SSRN and by Activation Code, and sends to the asking contact alone', async () => {
    const before = sink.messages.length;
    expect((await request({ reference: 'SSRN8B3N5V2C7D', email: PARTNER })).statusCode).toBe(202);
    expect((await request({ reference: 'Vb8nQa-2KsEw-Yt7LpD', email: CONTACT })).statusCode).toBe(202);
    await sink.waitFor(before + 2);
    await pipeline.idle();
    expect(
      sink.messages
        .slice(before)
        .map((m) => m.to)
        .sort(),
    ).toEqual([[PARTNER], [CONTACT]].sort());
  });

  it("shows the same page to a contact and to a stranger on the form, in the browser's language", async () => {
    const before = sink.messages.length;
    const pages = [];
    for (const email of [PARTNER, 'someone@elsewhere.example']) {
      const browser = new FormClient(pipeline.api, { 'accept-language': 'de-CH, en;q=0.5' });
      const res = await browser.submit('/self-service/', '/self-service/resend', { reference: ORDER, email });
      expect(res.statusCode).toBe(200);
      pages.push(res.body.replace(/name="_csrf" value="[^"]+"/g, ''));
    }
    expect(pages[0]).toBe(pages[1]);
    expect(pages[0]).toContain('Vielen Dank.');
    await sink.waitFor(before + 1);
    await pipeline.idle();
    expect(sink.messages.slice(before).map((m) => m.to)).toEqual([[PARTNER]]);
  });

  it('names the field of a bad request, on JSON and on the form', async () => {
    const cases: Array<[unknown, string]> = [
      [{ reference: ORDER }, 'email'],
      [{ email: CONTACT }, 'reference'],
      [{ reference: ORDER, email: 'not an address' }, 'email'],
      [{ reference: 'x'.repeat(65), email: CONTACT }, 'reference'],
      [{ reference: '<script>', email: CONTACT }, 'reference'],
      [{ reference: ORDER, email: CONTACT, extra: 1 }, '(root)'],
    ];
    for (const [body, path] of cases) {
      const res = await request(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        res.json().issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const plain = await pipeline.api.inject({
      method: 'POST',
      url: '/self-service/resend',
      payload: JSON.stringify({ reference: ORDER, email: CONTACT }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.json().issues).toEqual([{ path: '(content-type)', message: 'must be application/json' }]);
    const form = await new FormClient(pipeline.api).submit('/self-service/', '/self-service/resend', {
      reference: ORDER,
      email: 'nope',
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('email:');
    expect(form.body).toContain('value="nope"');
  });
});

describe('self-service limits under 200 rapid requests', () => {
  it('per client address: 200 requests from one client, only the first 20 answered', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request({ reference: `CLIENT-${i}`, email: `c${i}@flood.example` }, '192.0.2.7'),
      ),
    );
    const accepted = answers.filter((a) => a.statusCode === 202);
    expect(accepted).toHaveLength(LIMITS.client);
    for (const a of answers.filter((x) => x.statusCode !== 202)) {
      expect(a.statusCode).toBe(429);
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Another client is not held back by that one.
    expect((await request({ reference: 'CLIENT-X', email: 'x@flood.example' }, '192.0.2.8')).statusCode).toBe(202);
  });

  it('per address: 200 requests from 200 clients for one contact send it at most 3 emails', async () => {
    const event = makeEvent('self-service-flood', 2);
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
    const contact = event.salesOrder.contacts[0]!.email;
    const shipped = sink.messages.length + 2;
    await sink.waitFor(shipped);
    await pipeline.idle();
    const auditedBefore = (await selfServiceAudit()).length;
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request({ reference: i % 2 ? event.salesOrder.number : event.lines[0]!.ssrn, email: contact }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 202)).toHaveLength(LIMITS.address);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(200 - LIMITS.address);
    // Every request of this test audited: the work after each answer is done.
    await audited(auditedBefore + 200);
    await pipeline.idle();
    expect(sink.messages.slice(shipped).filter((m) => m.to.includes(contact))).toHaveLength(LIMITS.address);
  });

  it('per reference: 200 requests from 200 clients and addresses for one reference (unknown: it counts all the same) answer at most 5', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request({ reference: 'NO-SUCH-REF-77', email: `r${i}@acme.example` })),
    );
    expect(answers.filter((a) => a.statusCode === 202)).toHaveLength(LIMITS.reference);
  });

  it('writes every request to the audit log, limited and invalid ones included, with the client address', async () => {
    const clients = ['198.51.100.7', '198.51.100.8'];
    for (let i = 0; i < LIMITS.client + 2; i++) {
      await request({ reference: `AUDIT-${i}`, email: `a${i}@audit.example` }, clients[0]);
    }
    await request({ reference: 'AUDIT-X', email: 'not an address' }, clients[1]);
    const entries = await audited(LIMITS.client + 3, (e) => clients.includes(e.detail?.client as string));
    const outcomes = new Map<string, number>();
    for (const e of entries) outcomes.set(e.outcome, (outcomes.get(e.outcome) ?? 0) + 1);
    expect(Object.fromEntries(outcomes)).toEqual({ 'unknown-reference': LIMITS.client, limited: 2, invalid: 1 });
  });
});
