import { z } from 'zod';
import { InvalidInputError, RateLimitedError } from '../errors.ts';
import { emailAddress, zodIssues } from '../event/schema.ts';
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

export type SelfServiceRequest = z.infer<typeof selfServiceRequestSchema>;

export function parseSelfServiceRequest(input: unknown): SelfServiceRequest {
  const parsed = selfServiceRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('invalid self-service request', zodIssues(parsed.error));
  return { reference: parsed.data.reference, email: parsed.data.email.toLowerCase() };
}

export type SelfServiceOutcome = 'resent' | 'unknown-reference' | 'not-a-contact' | 'nothing-delivered' | 'limited';

export interface SelfServiceDeps {
  /** The order an order number, SSRN or Activation Code belongs to. */
  findOrder(reference: string): Promise<string | undefined>;
  orderView(orderNumber: string): Promise<OrderView | undefined>;
  /** Support's resend (src/support/resend.ts), with its rules and its per-order limit. */
  resend(orderNumber: string, request: { lines: string[]; to: string[]; reason: string }): Promise<unknown>;
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
    await deps.resend(order, {
      lines,
      to: [request.email],
      reason: 'self-service: the recipient asked for the email again',
    });
  } catch (error) {
    if (error instanceof RateLimitedError) return { outcome: 'limited', order };
    throw error;
  }
  return { outcome: 'resent', order };
}
