import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../support/events.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';

// The public verification page, as a browser and as a buyer's system ask for it: no token, the same kind of answer for
// a number never issued, no names or addresses, and a limit per client.

let pipeline: TestPipeline;
const event = makeEvent('verify-page', 2);
let certificateNumber: string;

let clients = 0;
/** Each call from a client address of its own unless one is given: only the limit's test shares one. */
const ask = (number: string, accept?: string, client = `10.9.${(++clients >> 8) & 255}.${clients & 255}`) =>
  pipeline.api.inject({
    method: 'GET',
    url: `/verify/${encodeURIComponent(number)}`,
    headers: accept ? { accept } : {},
    remoteAddress: client,
  });

beforeAll(async () => {
  pipeline = await startPipeline({ VERIFY_REQUESTS_PER_MINUTE: '6' });
  expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
  await pipeline.idle(60_000);
  const [fulfillment] = await pipeline.ctx.fulfillments.forOrder(event.salesOrder.number);
  certificateNumber = fulfillment!.certificateNumber;
}, 90_000);
afterAll(() => pipeline.close());

describe('GET /verify/{certificateNumber}', () => {
  it('answers JSON without a token: genuine, with products, quantities, dates and SSRNs, and no names', async () => {
    const res = await ask(certificateNumber, 'application/json');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.genuine).toBe(true);
    expect(body.certificateNumber).toBe(certificateNumber);
    expect(body.lines.map((l: { ssrn: string }) => l.ssrn)).toEqual(event.lines.map((l) => l.ssrn));
    expect(body.lines[0]).toMatchObject({
      sku: event.lines[0]!.sku,
      quantity: event.lines[0]!.quantity,
      startDate: expect.any(String),
    });
    const order = event.salesOrder as unknown as { endCustomer: { name: string }; contacts: Array<{ email: string }> };
    for (const secret of [order.endCustomer.name, order.contacts[0]!.email, event.lines[0]!.activationCode]) {
      expect(res.body).not.toContain(secret);
    }
  });

  it('answers a browser with an HTML page, and an unknown number with the same kind of answer', async () => {
    const page = await ask(certificateNumber, 'text/html,application/xhtml+xml,*/*');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Genuine');
    const unknown = await ask('SEC-00000000-20260101-ZZZZZZ', 'application/json');
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual({
      certificateNumber: 'SEC-00000000-20260101-ZZZZZZ',
      genuine: false,
      issueDate: null,
      lines: [],
    });
    expect((await ask('SEC-00000000-20260101-ZZZZZZ')).body).toContain('Not genuine');
  });

  it('limits requests per client address', async () => {
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await ask(certificateNumber, 'application/json', '192.0.2.66')).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    // Another client is not held back by that one.
    expect((await ask(certificateNumber, 'application/json', '192.0.2.67')).statusCode).toBe(200);
  });
});
