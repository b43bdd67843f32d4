import type { KeyObject } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { todayIn } from '../entitlement/dates.ts';
import { keyAttachments } from '../delivery/key-attachments.ts';
import { isAutomaticMail } from '../inbound/automatic-mail.ts';
import { rawHeaders } from '../inbound/raw-headers.ts';
import { extractActivationRequest } from '../inbound/extract-request.ts';
import { issueKey } from '../license/key.ts';
import { composeMessage } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Brand, Entitlement } from '../model.ts';
import { activationsTotal } from '../ops/metrics.ts';
import type { AuditLog } from '../store/audit.ts';
import type { ActivationRecord, ActivationStore } from '../store/activations.ts';
import type { EntitlementStore } from '../store/entitlements.ts';
import type { OrderStore } from '../store/orders.ts';
import type { SenderThrottle } from '../store/redis-sender-throttle.ts';
import { activationReply, type ActivationAnswer } from './reply.ts';

export interface ActivationDeps {
  entitlements: EntitlementStore;
  orders: OrderStore;
  activations: ActivationStore;
  catalog: Catalog;
  brand: Brand;
  clock: Clock;
  timeZone: string;
  audit: AuditLog;
  transport: MailTransport;
  mailFrom: string;
  mailFromAddress: string;
  /** Addresses of this service: mail from them is never answered (reply loops). */
  ownAddresses: string[];
  signingKey: KeyObject | undefined;
  throttle: SenderThrottle;
}

export type Folder = 'Processed' | 'Rejected';

/** The decision about one message, stored before the reply is sent so that a retried job answers the same way. */
interface Decision {
  folder: Folder;
  /** Undefined: no reply (automatic mail, throttled sender, no sender). */
  reply?: { to: string; subject: string; text: string; inReplyTo?: string; references: string[]; keys: ActivationAnswer & { kind: 'keys' } | undefined; entitlement?: Pick<Entitlement, 'ssrn' | 'product' | 'startDate' | 'endDate'> };
  outcome: string;
  order?: string;
}

const FAILURES = new Set<ActivationAnswer['kind']>(['unknown-or-not-allowed', 'no-code', 'no-device', 'several-codes']);

/**
 * Answers one activation request from the mailbox (contract section 7). Idempotent per message: the decision, the
 * reply's acceptance and the filing folder are recorded, so a retried or repeated job never answers twice.
 */
export async function handleActivationMessage(deps: ActivationDeps, uidValidity: string, uid: number): Promise<Folder> {
  const stored = await deps.activations.message(uidValidity, uid);
  if (stored?.folder) return stored.folder as Folder;

  let decision = stored?.decision as Decision | undefined;
  if (!decision) {
    const raw = stored?.raw;
    decision = raw ? await decide(deps, await simpleParser(raw), `${uidValidity}-${uid}`) : { folder: 'Rejected', outcome: 'message-gone' };
    await deps.activations.saveDecision(uidValidity, uid, decision, deps.clock.now());
    activationsTotal.inc({ outcome: decision.outcome.split(':')[0]! });
    await deps.audit.record({ actor: decision.reply?.to ?? 'unknown sender', action: 'activation', outcome: decision.outcome, ...(decision.order && { order: decision.order }), detail: { uidValidity, uid } });
  }

  if (decision.reply && !stored?.replySentAt) {
    const r = decision.reply;
    const domain = deps.mailFromAddress.split('@')[1] ?? 'localhost';
    await deps.transport.send(composeMessage({
      from: deps.mailFrom, to: { email: r.to }, subject: r.subject, text: r.text,
      messageId: `<act-${uidValidity}-${uid}@${domain}>`,
      ...(r.inReplyTo && { inReplyTo: r.inReplyTo }), references: r.references, autoReply: true,
      attachments: r.keys && r.entitlement ? keyAttachments(r.entitlement, r.keys.keys.map((k) => k.key)) : [],
    }));
    await deps.activations.markReplySent(uidValidity, uid, deps.clock.now());
  }
  await deps.activations.file(uidValidity, uid, decision.folder);
  return decision.folder;
}

async function decide(deps: ActivationDeps, mail: ParsedMail, messageKey: string): Promise<Decision> {
  const from = mail.from?.value[0]?.address?.toLowerCase();
  if (!from) return { folder: 'Rejected', outcome: 'ignored: no sender' };
  const automatic = isAutomaticMail(rawHeaders(mail.headerLines), from, deps.ownAddresses);
  if (automatic) return { folder: 'Rejected', outcome: `ignored: ${automatic}` };
  const now = deps.clock.now();
  if (await deps.throttle.blocked(from, now)) return { folder: 'Rejected', outcome: 'ignored: too many failed attempts from this sender' };

  const { answer, locale, order, entitlement } = await answerFor(deps, mail, from);
  if (FAILURES.has(answer.kind)) await deps.throttle.recordFailure(from, now, messageKey);
  const subject = mail.subject ?? '';
  const reply = activationReply(answer, subject, locale, deps.brand);
  const references = [...(typeof mail.references === 'string' ? [mail.references] : mail.references ?? []), ...(mail.messageId ? [mail.messageId] : [])];
  const granted = answer.kind === 'keys' && answer.keys.length > 0;
  return {
    folder: granted ? 'Processed' : 'Rejected',
    outcome: answer.kind === 'keys' ? `keys: ${answer.keys.length} issued or resent, ${answer.refused.length} refused` : `rejected: ${answer.kind}`,
    ...(order && { order }),
    reply: {
      to: from, subject: reply.subject, text: reply.text, references: references.slice(-20),
      ...(mail.messageId && { inReplyTo: mail.messageId }), keys: answer.kind === 'keys' ? answer : undefined,
      ...(entitlement && { entitlement: { ssrn: entitlement.ssrn, product: entitlement.product, startDate: entitlement.startDate, ...(entitlement.endDate && { endDate: entitlement.endDate }) } }),
    },
  };
}

async function answerFor(deps: ActivationDeps, mail: ParsedMail, from: string): Promise<{ answer: ActivationAnswer; locale: string; order?: string; entitlement?: Entitlement }> {
  const request = extractActivationRequest({
    ...(mail.subject && { subject: mail.subject }), ...(mail.text && { text: mail.text }), ...(typeof mail.html === 'string' && { html: mail.html }),
  });
  if (request.codes.length === 0) return { answer: { kind: 'no-code' }, locale: 'en' };
  if (request.codes.length > 1) return { answer: { kind: 'several-codes' }, locale: 'en' };
  const code = request.codes[0]!;
  const entitlement = await deps.entitlements.byCode(code);
  const order = entitlement && (await deps.orders.get(entitlement.orderNumber));
  // An unknown code and a sender not on the order get the same answer: nothing tells an outsider which codes exist.
  if (!entitlement || !order || !order.contacts.some((c) => c.email.toLowerCase() === from)) {
    return { answer: { kind: 'unknown-or-not-allowed' }, locale: 'en' };
  }
  const product = deps.catalog.get(entitlement.product)!;
  const base = { locale: order.locale, order: order.number, entitlement };
  if (product.mode !== 'email-activation') {
    return { ...base, answer: { kind: 'not-by-email', licenseName: entitlement.licenseName, instructionsUrl: product.instructionsUrl } };
  }
  if (request.devices.length === 0) return { ...base, answer: { kind: 'no-device', code } };
  if (!deps.signingKey) throw new Error('LICENSE_SIGNING_KEY is not set: activation requests cannot be answered with keys');

  const issuedOn = todayIn(deps.timeZone, deps.clock.now());
  const offers = request.devices.map((device) => issueKey(entitlement, device, product.features, issuedOn, deps.signingKey!));
  const claims = await deps.activations.claimKeys(entitlement.ssrn, entitlement.quantity, offers);
  const at = deps.clock.now().toISOString();
  const fresh = claims.flatMap((c) => (c.outcome === 'issued' ? [c.key] : []));
  if (fresh.length) {
    const records: ActivationRecord[] = fresh.map((k) => ({ device: k.device, licenseId: k.licenseId, at, sender: from, ...(mail.messageId && { messageId: mail.messageId }) }));
    await deps.activations.recordActivations(entitlement.ssrn, records);
    for (const k of fresh) {
      await deps.audit.record({ actor: from, action: 'key-issue', order: order.number, outcome: 'issued', detail: { ssrn: entitlement.ssrn, device: k.device, licenseId: k.licenseId } });
    }
  }
  return {
    ...base,
    answer: {
      kind: 'keys',
      keys: claims.flatMap((c) => (c.outcome === 'quantity-used-up' ? [] : [{ key: c.key, existing: c.outcome === 'existing' }])),
      refused: claims.flatMap((c) => (c.outcome === 'quantity-used-up' ? [c.device] : [])),
      quantity: entitlement.quantity,
    },
  };
}
