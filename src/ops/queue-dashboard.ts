import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { ApiPlugin } from '../api/server.ts';

export const DASHBOARD_PATH = '/admin/queues';

/** Bull Board over every queue. The /admin/ prefix needs an admin token (see api/server.ts and api/admin-login.ts). */
export const queueDashboardPlugin: ApiPlugin = async (app, ctx) => {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(ctx.queues).map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'license-courier' } },
  });
  await app.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH, basePath: DASHBOARD_PATH } as never);
};
