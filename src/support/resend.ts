import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { deliveryId, messageIdFor } from '../delivery/identity.ts';
import { ConflictError, ForbiddenError, InvalidInputError, RateLimitedError } from '../errors.ts';
import { emailAddress, zodIssues } from '../event/schema.ts';
import type { Role } from '../config.ts';
import type { AuditLog } from '../store/audit.ts';
import type { DeliveryRecord, ResendRequestRecord } from '../store/deliveries.ts';
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

/** The `Idempotency-Key` of a resend: what a client (or the console's form) sends again with the same request. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters (a UUID, say)');

export interface ResendResult {
  resendId: string;
  deliveries: DeliveryRecord[];
  /** The answer to an earlier request with the same Idempotency-Key: nothing was sent this time. */
  replayed: boolean;
}

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
 * log. With an `idempotencyKey`, the same caller's same request for the same order is answered from the first time
 * (`replayed`) and sends nothing; the key with a different request is a conflict.
 */
export async function resend(
  deps: ResendDeps,
  orderNumber: string,
  input: unknown,
  caller: Caller,
  idempotencyKey?: string,
): Promise<ResendResult> {
  const parsed = resendRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('invalid resend request', zodIssues(parsed.error));
  const key = idempotencyKey === undefined ? undefined : idempotencyKeySchema.safeParse(idempotencyKey);
  if (key && !key.success)
    throw new InvalidInputError('invalid Idempotency-Key', [
      { path: 'Idempotency-Key', message: key.error.issues[0]!.message },
    ]);
  const request = parsed.data;
  const view = await orderView(deps, orderNumber);
  const lineNumbers = request.lines ?? view.entitlements.map((e) => e.lineNumber);
  checkLines(view, orderNumber, lineNumbers);
  const recipients = allowedRecipients(deps, view.order.contacts, orderNumber, request, caller);
  const keyed = key && keyedRequest(deps, orderNumber, key.data, caller, request, recipients);
  const earlier = keyed && (await replay(deps, keyed));
  if (earlier) return earlier;

  const { count, secondsLeft } = await deps.resendRate.hit(orderNumber, deps.clock.now());
  if (count > deps.perOrderPerHour) {
    throw new RateLimitedError(
      `order ${orderNumber} was resent ${deps.perOrderPerHour} times this hour; try again later`,
      secondsLeft,
    );
  }

  const resendId = keyed?.id ?? `r${deps.clock.now().getTime().toString(36)}${randomBytes(3).toString('hex')}`;
  const created = newDeliveries(deps, view, request, { orderNumber, resendId, lineNumbers, recipients, caller });
  // A twin request with the same key that committed first: its answer is this one's.
  if ((await deps.deliveries.insertResend(created, keyed)) === 'seen-before') return (await replay(deps, keyed!))!;
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
  return { resendId, deliveries: created, replayed: false };
}

/**
 * The record of a keyed request: its resend id derived from the caller, the order and the key (so a repeat finds it),
 * and a fingerprint of the request as understood, which a repeat must match.
 */
function keyedRequest(
  deps: Pick<ResendDeps, 'clock'>,
  orderNumber: string,
  key: string,
  caller: Caller,
  request: ResendRequest,
  recipients: Recipient[],
): ResendRequestRecord {
  const hash = (parts: unknown) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  const sorted = (list: string[] | undefined) => (list ? [...list].sort() : null);
  return {
    id: `k${hash([caller.name, orderNumber, key]).slice(0, 22)}`,
    // Lines and addresses as asked, in any order; left out, they are the order's own (which a resend cannot change).
    fingerprint: hash([sorted(request.lines), request.to && sorted(recipients.map((r) => r.email)), request.reason]),
    createdAt: deps.clock.now().toISOString(),
  };
}

/** The answer to an earlier request with the same key, if there was one; a different request under it is refused. */
async function replay(deps: Pick<ResendDeps, 'deliveries'>, keyed: ResendRequestRecord) {
  const earlier = await deps.deliveries.resendRequest(keyed.id);
  if (!earlier) return undefined;
  if (earlier.fingerprint !== keyed.fingerprint)
    throw new ConflictError('this Idempotency-Key was used for a different resend of this order', [
      { path: 'Idempotency-Key', message: 'send a new key for a new request' },
    ]);
  return { resendId: keyed.id, deliveries: earlier.deliveries, replayed: true };
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
