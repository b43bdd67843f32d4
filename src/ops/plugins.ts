import type { Queue } from 'bullmq';
import type { ApiPlugin } from '../api/server.ts';
import { metricsPlugin } from './metrics-route.ts';
import { queueDashboardPlugin } from './queue-dashboard.ts';

/** The operator-facing routes mounted beside the API: /metrics and the queue dashboard. */
export const opsPlugins = (queues: Queue[]): ApiPlugin[] => [metricsPlugin(queues), queueDashboardPlugin(queues)];
