import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import { buildApi } from '../../src/api/server.ts';
import { apiBackend } from '../../src/app/api.ts';
import { servicePlugins } from '../../src/app/api-server.ts';
import { startWorkers, type RunningWorkers } from '../../src/app/workers.ts';
import type { ContextOverrides } from '../../src/app/context.ts';
import { TEST_TOKENS, testContext, testServiceEnv } from './app.ts';

export interface TestPipeline {
  ctx: AppContext;
  api: FastifyInstance;
  workers?: RunningWorkers;
  env: Record<string, string>;
  post(url: string, body: unknown, token?: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, token?: string): Promise<LightMyRequestResponse>;
  /**
   * Resolves when no job is waiting, active or due in the fulfillment and send queues (delayed retries count as busy).
   */
  idle(timeoutMs?: number): Promise<void>;
  /** Resolves when no notice sweep waits, runs or waits for a retry (the next day's scheduled run does not count). */
  sweepIdle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service in-process: a database of its own, real Redis under a unique prefix, the real API (via inject) and real
 * workers.
 */
export async function startPipeline(
  extraEnv: Record<string, string>,
  options: { workers?: boolean } & ContextOverrides = {},
): Promise<TestPipeline> {
  const { env, cleanUp } = await testServiceEnv(extraEnv);
  const ctx = await testContext(env, options);
  const api = await buildApi(apiBackend(ctx), servicePlugins(ctx));
  const workers = options.workers === false ? undefined : await startWorkers(ctx);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    ctx,
    api,
    ...(workers && { workers }),
    env,
    post: (url, body, token = TEST_TOKENS.intake, headers = {}) =>
      api.inject({ method: 'POST', url, payload: body as object, headers: { ...headers, ...auth(token) } }),
    get: (url, token = TEST_TOKENS.support) => api.inject({ method: 'GET', url, headers: auth(token) }),
    async idle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // One count per queue, fulfillments first: a retry moving from delayed to waiting between two counts of the
        // send queue, or a fan-out queueing its sends between the two queues' counts, would pass for idle.
        const busy = ['waiting', 'active', 'prioritized', 'waiting-children'] as const;
        const fulfillment = await ctx.queues.fulfillment.getJobCounts(...busy);
        const send = await ctx.queues.send.getJobCounts(...busy, 'delayed');
        if ([fulfillment, send].every((c) => Object.values(c).every((n) => n === 0))) return;
        if (Date.now() > deadline)
          throw new Error(`queues not idle: ${JSON.stringify(fulfillment)} ${JSON.stringify(send)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async sweepIdle(timeoutMs = 20_000) {
      for (const deadline = Date.now() + timeoutMs; ;) {
        // The scheduler's next run waits as a delayed job; a sweep that failed would wait there too, so failures are
        // checked.
        const c = await ctx.queues.noticeSweep.getJobCounts('waiting', 'active', 'prioritized', 'failed');
        const retrying = (await ctx.queues.noticeSweep.getDelayed()).filter((j) => j.attemptsMade > 0);
        if (Object.values(c).every((n) => n === 0) && retrying.length === 0) return;
        if (Date.now() > deadline) throw new Error(`sweep not done: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await workers?.close();
      await api.close();
      await ctx.close();
      await cleanUp();
    },
  };
}
