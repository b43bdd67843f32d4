import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { deliveryId, messageIdFor } from '../delivery/identity.ts';
import { ForbiddenError, InvalidInputError, RateLimitedError } from '../errors.ts';
import { emailAddress, zodIssues } from '../event/schema.ts';
import type { Role } from '../config.ts';
import type { AuditLog } from '../store/audit.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { RateWindow } from '../store/redis-rate-window.ts';
import { orderView, type OrderView, type OrderViewStores } from './order-view.ts';
import { isSharedDomain } from './shared-domains.ts';

export const resendRequestSchema = z.strictObject({
  lines: z
    .array(z.string().regex(/^[A-Za-z0-9.-]{1,16}$/, 'must be a line number of the order'))
    .min(1)
    .max(500)
    .optional(),
  to: z.array(emailAddress).min(1).max(50).optional(),
  reason: z.string().trim().min(1, 'is required: say why this is resent').max(500),
});

export type ResendRequest = z.infer<typeof resendRequestSchema>;

export interface ResendDeps extends OrderViewStores {
  audit: AuditLog;
  /** Resends per order in the current hour. */
  resendRate: RateWindow;
  clock: Clock;
  mailFromAddress: string;
  allowedDomains: string[];
  /** RESEND_SHARED_DOMAINS: public mail domains besides the maintained list; never "the order's domain". */
  sharedDomains: string[];
  perOrderPerHour: number;
  enqueueSends(ids: string[]): Promise<void>;
}

const domainOf = (email: string) => email.split('@')[1]!.toLowerCase();

type Caller = { name: string; role: Role };
type Recipient = { email: string; name?: string };

/**
 * Resends the Fulfillment Email and certificate: new deliveries, tracked like the first, each recorded in the audit
 * log.
 */
export async function resend(
  deps: ResendDeps,
  orderNumber: string,
  input: unknown,
  caller: Caller,
): Promise<{ resendId: string; deliveries: DeliveryRecord[] }> {
  const parsed = resendRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('invalid resend request', zodIssues(parsed.error));
  const request = parsed.data;
  const view = await orderView(deps, orderNumber);
  const lineNumbers = request.lines ?? view.entitlements.map((e) => e.lineNumber);
  checkLines(view, orderNumber, lineNumbers);
  const recipients = allowedRecipients(deps, view.order.contacts, orderNumber, request, caller);

  const { count, secondsLeft } = await deps.resendRate.hit(orderNumber, deps.clock.now());
  if (count > deps.perOrderPerHour) {
    throw new RateLimitedError(
      `order ${orderNumber} was resent ${deps.perOrderPerHour} times this hour; try again later`,
      secondsLeft,
    );
  }

  const resendId = `r${deps.clock.now().getTime().toString(36)}${randomBytes(3).toString('hex')}`;
  const created = newDeliveries(deps, view, request, { orderNumber, resendId, lineNumbers, recipients, caller });
  await deps.deliveries.insert(created);
  await deps.enqueueSends(created.map((d) => d.id));
  await deps.audit.record({
    actor: caller.name,
    action: 'resend',
    order: orderNumber,
    outcome: 'queued',
    detail: {
      resendId,
      reason: request.reason,
      lines: lineNumbers,
      to: recipients.map((r) => r.email),
      deliveries: created.length,
    },
  });
  return { resendId, deliveries: created };
}

/** Every line asked for is on the order and delivered already. */
function checkLines(view: OrderView, orderNumber: string, lineNumbers: string[]): void {
  const issues = lineNumbers.flatMap((n, i) => {
    const e = view.entitlements.find((x) => x.lineNumber === n);
    if (!e) return [{ path: `lines[${i}]`, message: `order ${orderNumber} has no line "${n}"` }];
    const f = view.fulfillments.find((x) => x.shipDate === e.shipDate && x.eventId === e.eventId);
    return f?.shippedAt
      ? []
      : [{ path: `lines[${i}]`, message: `line "${n}" ships on ${e.shipDate} and has not been delivered yet` }];
  });
  if (issues.length) throw new InvalidInputError('invalid resend request', issues);
}

/** The recipients asked for (the order's contacts by default), each one the caller may send to. */
function allowedRecipients(
  deps: ResendDeps,
  orderContacts: OrderView['order']['contacts'],
  orderNumber: string,
  request: ResendRequest,
  caller: Caller,
): Recipient[] {
  const contacts: Recipient[] = orderContacts.map((c) => ({
    email: c.email.toLowerCase(),
    ...(c.name && { name: c.name }),
  }));
  const recipients: Recipient[] = request.to ? request.to.map((email) => ({ email: email.toLowerCase() })) : contacts;
  // A public mail domain (a contact at gmail.com) is nobody's: only an admin may send to others there.
  const orderDomains = contacts.map((c) => domainOf(c.email)).filter((d) => !isSharedDomain(d, deps.sharedDomains));
  const knownDomains = new Set([...orderDomains, ...deps.allowedDomains]);
  for (const r of recipients) {
    if (contacts.some((c) => c.email === r.email) || caller.role === 'admin' || knownDomains.has(domainOf(r.email)))
      continue;
    throw new ForbiddenError(
      `${r.email} is not on order ${orderNumber} and its domain is not the order's ` +
        '(public mail domains do not count) or an allowed one; an admin token may send there',
    );
  }
  return recipients;
}

/** One delivery per fulfillment with a chosen line and per recipient. */
function newDeliveries(
  deps: ResendDeps,
  view: OrderView,
  request: ResendRequest,
  batch: { orderNumber: string; resendId: string; lineNumbers: string[]; recipients: Recipient[]; caller: Caller },
): DeliveryRecord[] {
  const { resendId, recipients } = batch;
  const chosen = view.entitlements.filter((e) => batch.lineNumbers.includes(e.lineNumber));
  const now = deps.clock.now().toISOString();
  const created: DeliveryRecord[] = [];
  for (const f of view.fulfillments) {
    const ssrns = chosen.filter((e) => e.shipDate === f.shipDate && e.eventId === f.eventId).map((e) => e.ssrn);
    if (ssrns.length === 0) continue;
    for (const r of recipients) {
      const id = deliveryId(`${resendId}.${f.id}`, r.email);
      created.push({
        id,
        orderNumber: batch.orderNumber,
        fulfillmentId: f.id,
        recipient: r.email,
        ...(r.name && { recipientName: r.name }),
        kind: 'resend',
        ...(request.lines && { ssrns }),
        resendId,
        reason: request.reason,
        requestedBy: batch.caller.name,
        status: 'queued',
        attempts: 0,
        messageId: messageIdFor(id, deps.mailFromAddress),
        createdAt: now,
        queuedAt: now,
      });
    }
  }
  return created;
}
