import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError, RateLimitedError } from '../errors.ts';
import { emailAddress, zodIssues } from '../event/schema.ts';
import { idempotencyKeySchema } from './resend.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { OrderView } from './order-view.ts';

export const selfServiceRequestSchema = z.strictObject({
  reference: z
    .string()
    .trim()
    .min(1, 'is required: an order number, SSRN or Activation Code')
    .max(64)
    .regex(/^[A-Za-z0-9.-]+$/, 'must be an order number, SSRN or Activation Code'),
  email: z.string().trim().pipe(emailAddress),
});

export type SelfServiceRequest = z.infer<typeof selfServiceRequestSchema> & {
  /** The same request sent again under the same key (a form sent twice, a client retrying) sends nothing more. */
  requestKey?: string;
};

/** `key.field` names where the requester's key came from (the form's field, the API's header), for its error. */
export function parseSelfServiceRequest(
  input: unknown,
  key?: { value: string | undefined; field: string },
): SelfServiceRequest {
  const parsed = selfServiceRequestSchema.safeParse(input);
  const issues = parsed.success ? [] : zodIssues(parsed.error);
  const requestKey = key?.value === undefined ? undefined : idempotencyKeySchema.safeParse(key.value);
  if (requestKey && !requestKey.success)
    issues.push({ path: key!.field, message: requestKey.error.issues[0]!.message });
  if (!parsed.success || issues.length) throw new InvalidInputError('invalid self-service request', issues);
  return {
    reference: parsed.data.reference,
    email: parsed.data.email.toLowerCase(),
    ...(requestKey && { requestKey: requestKey.data }),
  };
}

export type SelfServiceOutcome =
  'resent' | 'replayed' | 'unknown-reference' | 'not-a-contact' | 'nothing-delivered' | 'limited';

export interface SelfServiceDeps {
  /** The order an order number, SSRN or Activation Code belongs to. */
  findOrder(reference: string): Promise<string | undefined>;
  orderView(orderNumber: string): Promise<OrderView | undefined>;
  /** Support's resend (src/support/resend.ts), with its rules, its per-order limit and its Idempotency-Key. */
  resend(
    orderNumber: string,
    request: { lines: string[]; to: string[]; reason: string },
    idempotencyKey?: string,
  ): Promise<{ replayed: boolean }>;
  audit: { record(entry: AuditEntry): Promise<void> };
}

export const SELF_SERVICE_ACTOR = 'self-service';

/**
 * "I lost my license email": resends the order's latest Fulfillment Email (the lines shipped together last, with the
 * certificate first attached) to the requesting address alone, and only when that address is a contact of the order.
 * Every request is audited with its outcome; the requester never learns it (the edge answers before this runs).
 */
export async function selfServiceResend(
  deps: SelfServiceDeps,
  request: SelfServiceRequest & { client: string },
): Promise<SelfServiceOutcome> {
  const outcome = await decideAndResend(deps, request);
  await deps.audit.record({
    actor: SELF_SERVICE_ACTOR,
    action: 'self-service-resend',
    ...(outcome.order && { order: outcome.order }),
    outcome: outcome.outcome,
    detail: { reference: request.reference, email: request.email, client: request.client },
  });
  return outcome.outcome;
}

async function decideAndResend(
  deps: SelfServiceDeps,
  request: SelfServiceRequest,
): Promise<{ outcome: SelfServiceOutcome; order?: string }> {
  const order = await deps.findOrder(request.reference);
  const view = order ? await deps.orderView(order) : undefined;
  if (!order || !view) return { outcome: 'unknown-reference' };
  const contact = view.order.contacts.find((c) => c.email.toLowerCase() === request.email);
  if (!contact) return { outcome: 'not-a-contact', order };
  const latest = view.fulfillments
    .filter((f) => f.shippedAt)
    .sort((a, b) => (a.shippedAt! < b.shippedAt! ? -1 : 1))
    .at(-1);
  const lines = latest
    ? view.entitlements
        .filter((e) => e.eventId === latest.eventId && e.shipDate === latest.shipDate)
        .map((e) => e.lineNumber)
    : [];
  if (!latest || lines.length === 0) return { outcome: 'nothing-delivered', order };
  try {
    const { replayed } = await deps.resend(
      order,
      { lines, to: [request.email], reason: 'self-service: the recipient asked for the email again' },
      request.requestKey && resendKey(request.requestKey, request, lines),
    );
    return { outcome: replayed ? 'replayed' : 'resent', order };
  } catch (error) {
    if (error instanceof RateLimitedError) return { outcome: 'limited', order };
    throw error;
  }
}

/**
 * The resend's Idempotency-Key: the requester's key with everything the resend is made of (the lines, the address)
 * and the reference it was asked by. Under its old key, a page sent back with another address or reference, or sent
 * again after a later shipment became the latest, is another request, never the support resend's conflict: the
 * requester must not be refused, and the work after the answer must always end in an audit line.
 */
function resendKey(key: string, request: SelfServiceRequest, lines: string[]): string {
  const asked = [key, request.reference.toUpperCase(), request.email, ...lines].join('\u0000');
  return `self-service-${createHash('sha256').update(asked).digest('base64url')}`;
}
