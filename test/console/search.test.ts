import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from '../support/app.ts';
import { FormClient } from '../support/console-client.ts';
import { DELIVERED_ORDER, startWithDeliveredOrder } from '../support/delivered-order.ts';
import { makeEvent } from '../support/events.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';

let pipeline: TestPipeline;
let sink: SmtpSink;
let support: FormClient;

beforeAll(async () => {
  ({ pipeline, sink } = await startWithDeliveredOrder());
  support = new FormClient(pipeline.api);
  await support.signIn(TEST_TOKENS.support);
});
afterAll(async () => {
  await pipeline?.close();
  await sink?.close();
});

describe('console search box', () => {
  it.each([
    [DELIVERED_ORDER, `/console/orders/${DELIVERED_ORDER}`],
    ['SSRN4K7Q2M9X1A', `/console/orders/${DELIVERED_ORDER}`],
    ['ssrn4k7q2m9x1a', `/console/orders/${DELIVERED_ORDER}`],
    ['Vb8nQa-2KsEw-Yt7LpD', `/console/orders/${DELIVERED_ORDER}`],
    ['licensing@northwind.example', `/console/orders/${DELIVERED_ORDER}`],
    ['  NetOps@ACME.example ', `/console/orders/${DELIVERED_ORDER}`],
    ['0100012345', '/console/accounts/0100012345'],
  ])('finds %s', async (term, location) => {
    const res = await support.get(`/console/search?q=${encodeURIComponent(term)}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(location);
  });

  it.each([
    '9999999',
    'SSRN0000000000',
    'no-such-code-123',
    'nobody@acme.example',
    'x@y',
    '<b>bold</b>',
    "' OR 1=1 --",
  ])('finds nothing for %s, and says so', async (term) => {
    const res = await support.get(`/console/search?q=${encodeURIComponent(term)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing found for');
    expect(res.body).not.toContain('<b>bold</b>');
  });

  it('refuses an empty or overlong term with the search page', async () => {
    for (const q of ['', '   ', 'x'.repeat(255)])
      expect((await support.get(`/console/search?q=${q}`)).statusCode).toBe(400);
  });

  it('lists every hit when a term names an order and an account', async () => {
    // An order whose number is also the ID of its customer's account: its own, so that the other tests' searches of the
    // delivered order's account still find that account alone.
    const event = makeEvent('search-both', 1);
    event.salesOrder.number = '0100077777';
    event.salesOrder.accounts = [{ id: '0100077777', role: 'customer', name: 'Acme Networks Ltd' }];
    expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
    const res = await support.get('/console/search?q=0100077777');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/console/orders/0100077777"');
    expect(res.body).toContain('href="/console/accounts/0100077777"');
  });
});
