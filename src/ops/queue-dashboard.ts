import { createBullBoard } from '@bull-board/api';
import type { Queue } from 'bullmq';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { ApiPlugin } from '../api/server.ts';
import type { RouteSpec } from '../api/route-table.ts';

export const DASHBOARD_PATH = '/admin/queues';

/** Every route of the dashboard (page, static assets, its JSON API, job actions) carries this spec: admin only. */
const DASHBOARD_SPEC: RouteSpec = {
  method: 'GET',
  url: `${DASHBOARD_PATH}/*`,
  role: 'admin',
  summary: 'Queue dashboard',
  responses: { 200: 'the dashboard' },
};

/**
 * Bull Board over every queue, for admins (see api/admin-login.ts for how a browser signs in). The role is attached to
 * the routes themselves, not only implied by the URL prefix: the router decodes the path ("/%61dmin/queues" finds
 * these routes) while a prefix check sees the raw URL, so a prefix check alone would let that spelling in.
 */
export const queueDashboardPlugin =
  (queues: Queue[]): ApiPlugin =>
  async (app) => {
    const adapter = new FastifyAdapter();
    adapter.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'license-courier' } },
    });
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, spec: DASHBOARD_SPEC };
      });
      await scope.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH, basePath: DASHBOARD_PATH } as never);
    });
  };
