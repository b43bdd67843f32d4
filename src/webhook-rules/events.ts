import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The events of contract section 9 and what each carries. Every payload is checked against a strict schema when it is
 * built, so a field nobody listed here (a license key, an activation code, certificate bytes, a token) cannot reach a
 * webhook by a careless spread: it is refused, not sent.
 */

const line = z.strictObject({ lineNumber: z.string(), ssrn: z.string() });
const email = z.string().max(320);
const deliveryKind = z.enum(['fulfillment', 'resend']);
const text = z.string().max(1000);

const fulfillmentData = z.strictObject({
  orderNumber: z.string(),
  eventId: z.string(),
  fulfillmentId: z.string(),
  shipDate: z.string(),
  lines: z.array(line),
  recipients: z.array(email),
});

const deliveryData = {
  orderNumber: z.string(),
  fulfillmentId: z.string(),
  deliveryId: z.string(),
  kind: deliveryKind,
  recipient: email,
  lines: z.array(line),
};

export const EVENT_SCHEMAS = {
  'fulfillment.accepted': fulfillmentData,
  'fulfillment.scheduled': fulfillmentData,
  'delivery.sent': z.strictObject({ ...deliveryData, messageId: z.string(), smtpResponse: text.optional() }),
  'delivery.failed': z.strictObject({ ...deliveryData, attempts: z.number().int(), error: text }),
  'delivery.bounced': z.strictObject({
    ...deliveryData,
    messageId: z.string(),
    dsn: z.strictObject({ status: z.string().optional(), diagnostic: text.optional() }),
  }),
  'activation.issued': z.strictObject({
    orderNumber: z.string(),
    lines: z.array(line),
    recipient: email,
    devices: z.array(z.strictObject({ device: z.string(), licenseId: z.string() })),
  }),
  'activation.rejected': z.strictObject({
    orderNumber: z.string().nullable(),
    lines: z.array(line),
    recipient: email,
    reason: text,
  }),
  'notice.sent': z.strictObject({
    orderNumber: z.string(),
    lines: z.array(line),
    recipient: email,
    notice: z.string(),
    endDate: z.string().optional(),
  }),
  'order.undeliverable': z.strictObject({
    orderNumber: z.string(),
    fulfillmentId: z.string(),
    lines: z.array(line),
    recipients: z.array(
      z.strictObject({
        recipient: email,
        status: z.enum(['failed', 'bounced']),
        lastError: text.nullable(),
      }),
    ),
  }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
export type EventData<T extends EventType> = z.input<(typeof EVENT_SCHEMAS)[T]>;

/** The body every endpoint receives (the Standard Webhooks payload structure). */
export interface EventPayload {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A row for the outbox: the id is the `webhook-id` every endpoint sees for this event, on every attempt. */
export interface OutboxEvent {
  id: string;
  type: EventType;
  orderNumber: string | null;
  /** The JSON of the EventPayload, serialised once so every attempt sends and signs the same bytes. */
  body: string;
  occurredAt: string;
}

/**
 * Builds an event. `key` names the state change it reports (a delivery id, a fulfillment id, ...): the id is derived
 * from type and key, so recording the same change twice (a use case retried after a crash) yields one event.
 */
export function webhookEvent<T extends EventType>(type: T, key: string, data: EventData<T>, at: Date): OutboxEvent {
  const parsed = EVENT_SCHEMAS[type].parse(data) as Record<string, unknown>;
  const digest = createHash('sha256').update(`${type}\n${key}`).digest('base64url').slice(0, 24);
  const timestamp = at.toISOString();
  return {
    id: `msg_${digest}`,
    type,
    orderNumber: (parsed.orderNumber as string | null | undefined) ?? null,
    body: JSON.stringify({ type, timestamp, data: parsed } satisfies EventPayload),
    occurredAt: timestamp,
  };
}
