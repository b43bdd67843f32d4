import { ACTIVATION_QUEUE } from './activation.queue.ts';
import { FULFILLMENT_QUEUE } from './fulfillment.queue.ts';
import { SEND_QUEUE } from './send.queue.ts';

/** Every queue of the service, for dashboards and metrics. */
export const ALL_QUEUES = [FULFILLMENT_QUEUE, SEND_QUEUE, ACTIVATION_QUEUE] as const;
