import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { zodIssues } from '../event/schema.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { FailedWebhookDelivery, WebhookDeliveries, WebhookDeliveryView } from '../store/webhook-deliveries.ts';
import type { WebhookEndpoint, WebhookEndpoints } from '../store/webhook-endpoints.ts';
import { EVENT_TYPES } from '../webhook-rules/events.ts';
import { newSecret } from './signing.ts';
import {
  literalAddress,
  resolvedProblem,
  urlProblems,
  type Resolve,
  type UrlPolicy,
} from '../webhook-rules/url-safety.ts';

export const createEndpointSchema = z.strictObject({
  url: z.string().max(2048),
  eventTypes: z.array(z.enum(EVENT_TYPES as [string, ...string[]])).min(1, 'must name at least one event type'),
  description: z.string().trim().max(500).optional(),
});

export const endpointIdSchema = z.string().regex(/^whe_[A-Za-z0-9_-]{12}$/, 'must be a webhook endpoint id');
export const deliveryIdSchema = z.string().regex(/^whd_[0-9a-f]{32}$/, 'must be a webhook delivery id');

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: deliveryIdSchema.optional(),
});

export interface WebhookAdminDeps {
  endpoints: Pick<WebhookEndpoints, 'create' | 'list' | 'get' | 'remove' | 'enable'>;
  deliveries: Pick<WebhookDeliveries, 'forEndpoint' | 'startManualRetry' | 'recentFailures'>;
  /** Queues one manual attempt; `retry` numbers it so it gets a job of its own. */
  enqueueRetry(deliveryId: string, retry: number): Promise<void>;
  resolve: Resolve;
  policy: UrlPolicy;
  audit: { record(entry: AuditEntry): Promise<void> };
  clock: Clock;
}

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(`invalid ${what}`, zodIssues(result.error));
  return result.data;
}

/**
 * The URL's problems, the resolved addresses included: a name pointing into a private network is refused here already.
 */
async function checkUrl(deps: WebhookAdminDeps, raw: string): Promise<void> {
  const problems = urlProblems(raw, deps.policy);
  const hostname = problems.length ? undefined : new URL(raw).hostname;
  if (hostname && !literalAddress(hostname)) {
    const addresses = await deps.resolve(hostname).catch(() => []);
    const problem = resolvedProblem(hostname, addresses, deps.policy);
    if (problem) problems.push(problem);
  }
  if (problems.length)
    throw new InvalidInputError(
      'invalid webhook endpoint',
      problems.map((message) => ({ path: 'url', message })),
    );
}

/** Registers an endpoint. The secret is in this answer and nowhere else the API shows. */
export async function createEndpoint(
  deps: WebhookAdminDeps,
  input: unknown,
  actor: string,
): Promise<WebhookEndpoint & { secret: string }> {
  const body = parse(createEndpointSchema, input, 'webhook endpoint');
  await checkUrl(deps, body.url);
  const secret = newSecret();
  const endpoint = await deps.endpoints.create(
    {
      url: body.url,
      eventTypes: [...new Set(body.eventTypes)],
      ...(body.description && { description: body.description }),
      secret,
      createdBy: actor,
    },
    deps.clock.now(),
  );
  await deps.audit.record({
    actor,
    action: 'webhook.endpoint.create',
    outcome: 'created',
    detail: { endpointId: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes },
  });
  return { ...endpoint, secret };
}

export async function removeEndpoint(deps: WebhookAdminDeps, id: unknown, actor: string): Promise<void> {
  const endpointId = parse(endpointIdSchema, id, 'webhook endpoint id');
  const endpoint = await deps.endpoints.get(endpointId);
  if (!endpoint || !(await deps.endpoints.remove(endpointId)))
    throw new NotFoundError(`no webhook endpoint ${endpointId}`);
  await deps.audit.record({
    actor,
    action: 'webhook.endpoint.delete',
    outcome: 'deleted',
    detail: { endpointId, url: endpoint.url },
  });
}

export async function endpointDeliveries(
  deps: WebhookAdminDeps,
  id: unknown,
  query: unknown,
): Promise<{ deliveries: WebhookDeliveryView[]; next?: string }> {
  const endpointId = parse(endpointIdSchema, id, 'webhook endpoint id');
  const options = parse(deliveriesQuerySchema, query, 'query');
  if (!(await deps.endpoints.get(endpointId))) throw new NotFoundError(`no webhook endpoint ${endpointId}`);
  const deliveries = await deps.deliveries.forEndpoint(endpointId, options);
  return { deliveries, ...(deliveries.length === options.limit && { next: deliveries.at(-1)!.id }) };
}

/** Sends one delivery again, once, whatever its status (a receiver that lost it asks for it again). */
export async function retryDelivery(
  deps: WebhookAdminDeps,
  id: unknown,
  deliveryIdInput: unknown,
  actor: string,
): Promise<{ deliveryId: string; retry: number }> {
  const endpointId = parse(endpointIdSchema, id, 'webhook endpoint id');
  const deliveryId = parse(deliveryIdSchema, deliveryIdInput, 'webhook delivery id');
  const retry = await deps.deliveries.startManualRetry(endpointId, deliveryId);
  if (retry === undefined) throw new NotFoundError(`no delivery ${deliveryId} on webhook endpoint ${endpointId}`);
  await deps.enqueueRetry(deliveryId, retry);
  await deps.audit.record({
    actor,
    action: 'webhook.delivery.retry',
    outcome: 'queued',
    detail: { endpointId, deliveryId, retry },
  });
  return { deliveryId, retry };
}

/**
 * Enables an endpoint that was disabled after failing too long, with a fresh failure clock. Deliveries closed when it
 * was disabled stay failed (each can be sent again with a retry); events from now on are delivered.
 */
export async function enableEndpoint(
  deps: Pick<WebhookAdminDeps, 'endpoints' | 'audit'>,
  id: unknown,
  actor: string,
): Promise<WebhookEndpoint> {
  const endpointId = parse(endpointIdSchema, id, 'webhook endpoint id');
  const result = await deps.endpoints.enable(endpointId);
  if (!result) throw new NotFoundError(`no webhook endpoint ${endpointId}`);
  await deps.audit.record({
    actor,
    action: 'webhook.endpoint.enable',
    outcome: result.enabled ? 'enabled' : 'already-enabled',
    detail: { endpointId, url: result.endpoint.url },
  });
  return result.endpoint;
}

/** How many of each endpoint's latest failed deliveries the admins' overview shows. */
export const RECENT_FAILURES_SHOWN = 10;

export type EndpointWithFailures = WebhookEndpoint & { recentFailures: FailedWebhookDelivery[] };

/** Every endpoint with its health and its latest failed deliveries: the admins' overview. */
export async function endpointsWithFailures(
  deps: Pick<WebhookAdminDeps, 'endpoints' | 'deliveries'>,
): Promise<EndpointWithFailures[]> {
  const endpoints = await deps.endpoints.list();
  const failures = await deps.deliveries.recentFailures(
    endpoints.map((e) => e.id),
    RECENT_FAILURES_SHOWN,
  );
  return endpoints.map((e) => ({ ...e, recentFailures: failures.get(e.id) ?? [] }));
}
