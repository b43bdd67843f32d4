import { expect } from 'vitest';
import type { DeliveryRecord } from '../../src/store/deliveries.ts';
import type { OrderView } from '../../src/support/order-view.ts';
import { makeEvent } from '../support/events.ts';
import type { TestPipeline } from '../support/pipeline.ts';

export async function orderDeliveries(pipeline: TestPipeline, orderNumber: string): Promise<DeliveryRecord[]> {
  const res = await pipeline.get(`/v1/orders/${orderNumber}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as OrderView).fulfillments.flatMap((f) => f.deliveries);
}

/** Takes an order with `recipients` contacts through intake and delivery; returns its number and sent deliveries. */
export async function deliveredOrder(
  pipeline: TestPipeline,
  tag: string,
  recipients: number,
): Promise<{ orderNumber: string; deliveries: DeliveryRecord[] }> {
  const event = makeEvent(tag, recipients);
  expect((await pipeline.post('/v1/fulfillments', event)).statusCode).toBe(202);
  await pipeline.idle();
  const deliveries = await orderDeliveries(pipeline, event.salesOrder.number);
  expect(deliveries.map((d) => d.status)).toEqual(Array(recipients).fill('sent'));
  return { orderNumber: event.salesOrder.number, deliveries };
}
