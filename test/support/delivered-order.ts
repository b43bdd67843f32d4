import { expect } from 'vitest';
import { rawExample } from './events.ts';
import { startPipeline, type TestPipeline } from './pipeline.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

/** The example order 15563238 accepted and delivered to both its contacts through a real SMTP server. */
export const DELIVERED_ORDER = '15563238';

export async function startWithDeliveredOrder(
  extraEnv: Record<string, string> = {},
): Promise<{ pipeline: TestPipeline; sink: SmtpSink }> {
  const sink = await startSmtpSink();
  const pipeline = await startPipeline({ SMTP_URL: sink.url, ...extraEnv });
  expect((await pipeline.post('/v1/fulfillments', rawExample('order-ex-srx'))).statusCode).toBe(202);
  await sink.waitFor(2);
  await pipeline.idle();
  return { pipeline, sink };
}
