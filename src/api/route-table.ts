import { z } from 'zod';
import type { Role } from '../config.ts';
import { fulfillmentEventSchema } from '../event/schema.ts';
import { accountEntitlementsQuerySchema, entitlementLookupQuerySchema } from '../support/entitlement-search.ts';
import { idempotencyKeySchema, resendRequestSchema } from '../support/resend.ts';
import { createEndpointSchema, deliveriesQuerySchema } from '../webhooks/admin.ts';

/**
 * Every HTTP route, described once: the server registers handlers by these ids, and the OpenAPI document is generated
 * from the same entries and the same zod schemas that validate the bodies.
 */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  role?: Role;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Optional request headers the route reads, by name. */
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  responses: Record<number, string>;
  produces?: string;
}

export const auditQuerySchema = z.strictObject({
  order: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,32}$/, 'must be a sales order number')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  // Checked here, whatever the store: a positive integer within what PostgreSQL's bigint holds, so a made-up cursor
  // is a 400, never a store error.
  before: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be an audit entry id (a positive integer) from a previous page')
    .transform(Number)
    .optional(),
});

export const certificateQuerySchema = z.strictObject({
  fulfillment: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,80}$/, 'must be a fulfillment id')
    .optional(),
});

const errors = { 401: 'no valid bearer token', 403: "the token's role may not do this" };

export const ROUTES = {
  intake: {
    method: 'POST',
    url: '/v1/fulfillments',
    role: 'intake',
    summary: 'Submit a fulfillment event',
    body: fulfillmentEventSchema,
    responses: {
      202: 'accepted',
      200: 'replay of an accepted event: the first answer',
      400: 'invalid event',
      409: 'eventId reused with other content, or a code/SSRN owned by another entitlement',
      413: 'body over 1 MiB',
      415: 'not JSON',
      ...errors,
    },
  },
  order: {
    method: 'GET',
    url: '/v1/orders/:number',
    role: 'support',
    summary: 'An order: entitlements, deliveries per recipient, activations',
    responses: { 200: 'the order', 404: 'unknown order', ...errors },
  },
  resend: {
    method: 'POST',
    url: '/v1/orders/:number/resend',
    role: 'support',
    summary: 'Resend the Fulfillment Email and certificate',
    body: resendRequestSchema,
    headers: {
      'Idempotency-Key': {
        schema: idempotencyKeySchema,
        description: 'the same request sent again with the same key is answered from the first time, sent once',
      },
    },
    responses: {
      200: 'the same request with the same Idempotency-Key header before: its deliveries, nothing sent again',
      202: 'the new deliveries',
      400: 'invalid request or Idempotency-Key',
      403: 'recipient not allowed for this role',
      404: 'unknown order',
      409: 'the Idempotency-Key was used for a different resend of this order',
      429: 'too many resends of this order this hour',
      401: errors[401],
    },
  },
  certificate: {
    method: 'GET',
    url: '/v1/orders/:number/certificate.pdf',
    role: 'support',
    summary: 'The Software Entitlement Certificate, the bytes that were attached',
    query: certificateQuerySchema,
    produces: 'application/pdf',
    responses: { 200: 'the PDF', 404: 'unknown order or nothing delivered yet', ...errors },
  },
  accountEntitlements: {
    method: 'GET',
    url: '/v1/accounts/:id/entitlements',
    role: 'support',
    summary: 'Every entitlement visible to an account, paged, by status and product',
    query: accountEntitlementsQuerySchema,
    responses: {
      200: 'items (each with its order, dates, status, delivery summary, activations) and the next cursor',
      400: 'invalid query',
      ...errors,
    },
  },
  entitlements: {
    method: 'GET',
    url: '/v1/entitlements',
    role: 'support',
    summary: 'Entitlements by SSRN, Activation Code or contact address',
    query: entitlementLookupQuerySchema,
    responses: { 200: 'items and the next cursor', 400: 'invalid query', ...errors },
  },
  audit: {
    method: 'GET',
    url: '/v1/audit',
    role: 'admin',
    summary: 'Audit records, newest first, paged',
    query: auditQuerySchema,
    responses: { 200: 'entries and the next cursor', 400: 'invalid query', ...errors },
  },
  verify: {
    method: 'GET',
    url: '/verify/:certificateNumber',
    summary: 'Whether a certificate is genuine and what it certifies (HTML, or JSON for Accept: application/json)',
    responses: { 200: 'the answer, genuine or not', 429: 'too many requests from this address' },
  },
  unsubscribePage: {
    method: 'GET',
    url: '/unsubscribe/:token',
    summary: 'A page with a button to stop subscription reminders to one address (a GET never opts out)',
    produces: 'text/html',
    responses: { 200: 'the page', 400: 'not a valid unsubscribe link' },
  },
  unsubscribe: {
    method: 'POST',
    url: '/unsubscribe/:token',
    summary: 'RFC 8058 one-click opt-out of subscription reminders for one address; Fulfillment Emails still go',
    produces: 'text/html',
    responses: { 200: 'opted out (again: unchanged)', 400: 'not a valid unsubscribe link' },
  },
  // Webhook administration (contract section 9).
  createWebhook: {
    method: 'POST',
    url: '/v1/webhooks',
    role: 'admin',
    summary: 'Register a webhook endpoint; the answer carries its signing secret, shown this once',
    body: createEndpointSchema,
    responses: {
      201: 'the endpoint with its secret',
      400: 'invalid endpoint: the url or event types named in issues',
      ...errors,
    },
  },
  listWebhooks: {
    method: 'GET',
    url: '/v1/webhooks',
    role: 'admin',
    summary: 'The webhook endpoints (without secrets), with their health',
    responses: { 200: 'the endpoints', ...errors },
  },
  deleteWebhook: {
    method: 'DELETE',
    url: '/v1/webhooks/:id',
    role: 'admin',
    summary: 'Remove a webhook endpoint and its delivery history',
    responses: { 204: 'removed', 400: 'not an endpoint id', 404: 'no such endpoint', ...errors },
  },
  enableWebhook: {
    method: 'POST',
    url: '/v1/webhooks/:id/enable',
    role: 'admin',
    summary: 'Enable a disabled webhook endpoint again, with a fresh failure clock (an addition to the contract)',
    responses: {
      200: 'the endpoint, enabled (one already enabled is left as it was)',
      400: 'not an endpoint id',
      404: 'no such endpoint',
      ...errors,
    },
  },
  webhookDeliveries: {
    method: 'GET',
    url: '/v1/webhooks/:id/deliveries',
    role: 'admin',
    summary: 'What was sent to an endpoint, newest first, with every attempt and the first KB of its answer',
    query: deliveriesQuerySchema,
    responses: { 200: 'deliveries and the next cursor', 400: 'invalid query', 404: 'no such endpoint', ...errors },
  },
  retryWebhookDelivery: {
    method: 'POST',
    url: '/v1/webhooks/:id/deliveries/:deliveryId/retry',
    role: 'admin',
    summary: 'Send one delivery again, once, with the same webhook-id',
    responses: { 202: 'queued', 400: 'invalid ids', 404: 'no such delivery on this endpoint', ...errors },
  },
  healthz: { method: 'GET', url: '/healthz', summary: 'Liveness', responses: { 200: 'alive' } },
  readyz: {
    method: 'GET',
    url: '/readyz',
    summary: 'Readiness: database, Redis, mail transport, IMAP where configured',
    responses: { 200: 'ready', 503: 'not ready, with reasons' },
  },
  metrics: {
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics',
    produces: 'text/plain',
    responses: { 200: 'metrics' },
  },
  openapi: { method: 'GET', url: '/openapi.json', summary: 'This document', responses: { 200: 'OpenAPI 3.1' } },
} satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;
