import { Gauge } from 'prom-client';
import type { Queue } from 'bullmq';
import type { ApiPlugin } from '../api/server.ts';
import { ROUTES } from '../api/route-table.ts';
import { registry } from '../metrics.ts';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

// Queue depths live in Redis, not in this process: read them when Prometheus scrapes, from whichever API process
// answers. Normally one API per process; where there are more (tests), the newest one still open is scraped.
const openApis = new Set<Queue[]>();
new Gauge({
  name: 'license_courier_queue_jobs',
  help: 'Jobs per queue and state, read from Redis at scrape time.',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const queue of [...openApis].at(-1) ?? []) {
      const counts = await queue.getJobCounts(...STATES).catch(() => undefined);
      if (counts) for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
    }
  },
});

export const metricsPlugin =
  (queues: Queue[]): ApiPlugin =>
  async (app) => {
    openApis.add(queues);
    app.addHook('onClose', async () => {
      openApis.delete(queues);
    });
    app.route({
      method: 'GET',
      url: ROUTES.metrics.url,
      config: { spec: ROUTES.metrics },
      handler: async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    });
  };
