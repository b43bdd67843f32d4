import type { KeyObject } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { ParsedMail } from 'mailparser';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { todayIn } from '../entitlement/dates.ts';
import { keyAttachments } from '../license/key-attachments.ts';
import { isAutomaticMail } from '../inbound/automatic-mail.ts';
import { parseInboundMail, requestParts } from '../inbound/parse-mail.ts';
import { rawHeaders } from '../inbound/raw-headers.ts';
import { extractActivationRequest, type ActivationRequest } from '../inbound/extract-request.ts';
import { senderAccepted, type SenderVerdict } from '../inbound/sender-auth.ts';
import { issueKey } from '../license/key.ts';
import type { FilingFolder } from '../mailbox/file-messages.ts';
import { classifySmtpError } from '../mail/classify.ts';
import { composeMessage } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Brand } from '../model.ts';
import { activationsTotal } from '../metrics.ts';
import type { ActivationLimits } from '../store/activation-limits.ts';
import type { AuditLog } from '../store/audit.ts';
import type { ActivationRecord, ActivationStore } from '../store/activations.ts';
import type { EntitlementStore } from '../store/entitlements.ts';
import type { OrderStore } from '../store/orders.ts';
import { assessRequest, type CodeRecords } from './assess-request.ts';
import { activationReply, type ActivationAnswer, type KeylessAnswer } from './reply.ts';
import { replyThreading } from './threading.ts';
import { webhookEvent } from '../webhook-rules/events.ts';

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
  limits: ActivationLimits;
  /** Whether the From domain sent the message (DKIM, SPF, DMARC), from the raw message as fetched. */
  verifySender(raw: Buffer, mail: ParsedMail, fromDomain: string): Promise<SenderVerdict>;
  /** ACTIVATION_REQUIRE_DMARC: answer only requests whose From domain passes DMARC. */
  requireDmarc: boolean;
}

/** An answer as stored before it is sent: keys by device only. Their text is read from the issued keys when sending. */
type StoredAnswer =
  | KeylessAnswer
  | {
      kind: 'keys';
      ssrn: string;
      devices: Array<{ device: string; existing: boolean }>;
      refused: string[];
      quantity: number;
    };

/** The decision about one message, stored before the reply is sent so that a retried job answers the same way. */
interface Decision {
  folder: FilingFolder;
  outcome: string;
  sender?: string;
  order?: string;
  /** The line asked about, when the code named one of the sender's order. */
  lines?: Array<{ lineNumber: string; ssrn: string }>;
  /** Undefined: no reply (automatic mail, throttled sender, no sender, unparseable). */
  reply?: {
    to: string;
    originalSubject: string;
    locale: string;
    inReplyTo?: string;
    references: string[];
    answer: StoredAnswer;
  };
}

/**
 * Answers one activation request from the mailbox (contract section 7). Idempotent per message: the decision, the
 * reply's acceptance and the filing folder are recorded, so a retried or repeated job never answers twice. Whatever
 * the message holds it ends with a folder: unparseable mail and replies refused for good are filed, not retried.
 */
export async function handleActivationMessage(
  deps: ActivationDeps,
  uidValidity: string,
  uid: number,
): Promise<FilingFolder> {
  const stored = await deps.activations.message(uidValidity, uid);
  if (stored?.folder) return stored.folder as FilingFolder;

  const decision =
    (stored?.decision as Decision | undefined) ?? (await decideAndRecord(deps, stored?.raw, uidValidity, uid));

  if (decision.reply && !stored?.replySentAt && !stored?.replyRefused) {
    try {
      await sendReply(
        deps,
        decision.reply,
        `<act-${uidValidity}-${uid}@${deps.mailFromAddress.split('@')[1] ?? 'localhost'}>`,
      );
      await deps.activations.markReplySent(uidValidity, uid, deps.clock.now());
    } catch (error) {
      const failure = classifySmtpError(error);
      if (failure.retry) throw error;
      await deps.activations.markReplyRefused(uidValidity, uid, failure.message);
      await deps.audit.record({
        actor: decision.reply.to,
        action: 'activation-reply',
        outcome: `refused: ${failure.message}`,
        ...(decision.order && { order: decision.order }),
        detail: { uidValidity, uid },
      });
    }
  }
  await deps.activations.file(uidValidity, uid, decision.folder);
  return decision.folder;
}

/** Decides about a message not decided yet, and records the decision, its webhook event and its audit entry. */
async function decideAndRecord(
  deps: ActivationDeps,
  raw: Buffer | undefined,
  uidValidity: string,
  uid: number,
): Promise<Decision> {
  const decision: Decision = raw
    ? await decideRaw(deps, raw, `${uidValidity}-${uid}`)
    : { folder: 'Rejected', outcome: 'message-gone' };
  const now = deps.clock.now();
  // A request answered without keys is reported; automatic mail and vanished messages got no answer and are not.
  const rejected =
    decision.folder === 'Rejected' && decision.reply
      ? [
          webhookEvent(
            'activation.rejected',
            `${uidValidity}-${uid}`,
            {
              orderNumber: decision.order ?? null,
              lines: decision.lines ?? [],
              recipient: decision.reply.to,
              reason: decision.outcome,
            },
            now,
          ),
        ]
      : [];
  await deps.activations.saveDecision(uidValidity, uid, decision, now, rejected);
  activationsTotal.inc({ outcome: decision.outcome.split(':')[0]! });
  await deps.audit.record({
    actor: decision.sender ?? 'unknown sender',
    action: 'activation',
    outcome: decision.outcome,
    ...(decision.order && { order: decision.order }),
    detail: { uidValidity, uid },
  });
  return decision;
}

/** Files a message whose job failed for the last time in Rejected, unanswered, unless it was filed already. */
export async function fileUnanswered(activations: ActivationStore, uidValidity: string, uid: number): Promise<void> {
  await activations.file(uidValidity, uid, 'Rejected');
}

async function sendReply(deps: ActivationDeps, r: NonNullable<Decision['reply']>, messageId: string): Promise<void> {
  let answer: ActivationAnswer;
  let attachments: ReturnType<typeof keyAttachments> = [];
  if (r.answer.kind === 'keys') {
    const { ssrn, devices, refused, quantity } = r.answer;
    const [issued, entitlement] = await Promise.all([deps.activations.issuedKeys(ssrn), deps.entitlements.get(ssrn)]);
    const keys = devices.flatMap(({ device, existing }) =>
      issued.filter((k) => k.device === device).map((key) => ({ key, existing })),
    );
    if (!entitlement || keys.length !== devices.length) throw new UnrecoverableError(`issued keys of ${ssrn} are gone`);
    answer = { kind: 'keys', keys, refused, quantity };
    attachments = keyAttachments(
      entitlement,
      keys.map((k) => k.key),
    );
  } else answer = r.answer;
  const reply = activationReply(answer, r.originalSubject, r.locale, deps.brand);
  await deps.transport.send(
    composeMessage({
      from: deps.mailFrom,
      to: { email: r.to },
      subject: reply.subject,
      text: reply.text,
      messageId,
      ...(r.inReplyTo && { inReplyTo: r.inReplyTo }),
      references: r.references,
      autoReply: true,
      attachments,
    }),
  );
}

async function decideRaw(deps: ActivationDeps, raw: Buffer, messageKey: string): Promise<Decision> {
  let mail: ParsedMail;
  try {
    mail = await parseInboundMail(raw);
  } catch (error) {
    return { folder: 'Rejected', outcome: `rejected: unparseable message (${(error as Error).message.slice(0, 200)})` };
  }
  return decide(deps, raw, mail, messageKey);
}

async function decide(deps: ActivationDeps, raw: Buffer, mail: ParsedMail, messageKey: string): Promise<Decision> {
  const from = mail.from?.value[0]?.address?.toLowerCase();
  if (!from) return { folder: 'Rejected', outcome: 'ignored: no sender' };
  const automatic = isAutomaticMail(rawHeaders(mail.headerLines), from, deps.ownAddresses);
  if (automatic) return { folder: 'Rejected', sender: from, outcome: `ignored: ${automatic}` };
  const verdict = await deps
    .verifySender(raw, mail, from.slice(from.lastIndexOf('@') + 1))
    .catch((): SenderVerdict => ({ dmarc: 'temperror', source: 'mailauth' }));
  if (!senderAccepted(verdict, deps.requireDmarc))
    return { folder: 'Rejected', sender: from, outcome: `ignored: From domain's DMARC result is ${verdict.dmarc}` };

  const now = deps.clock.now();
  const request = extractActivationRequest(requestParts(mail));
  const assessment = assessRequest(request, from, await codeRecords(deps, request), todayIn(deps.timeZone, now));
  const reply = {
    to: from,
    originalSubject: (mail.subject ?? '').slice(0, 1000),
    ...replyThreading(mail.messageId, mail.references),
  };

  if (!assessment.valid) {
    const { answer, locale, order } = assessment;
    const base = { folder: 'Rejected' as const, sender: from, ...(order && { order }) };
    if (!(await deps.limits.takeFailure(from, now, messageKey)))
      return { ...base, outcome: 'ignored: too many failed attempts from this sender' };
    return { ...base, outcome: `rejected: ${answer.kind}`, reply: { ...reply, locale, answer } };
  }
  const { code, entitlement, order } = assessment;
  const base = {
    sender: from,
    order: order.number,
    lines: [{ lineNumber: entitlement.lineNumber, ssrn: entitlement.ssrn }],
  };
  if (!(await deps.limits.takeAnswer(from, code, now, messageKey)))
    return { ...base, folder: 'Rejected', outcome: 'ignored: hourly answers to this contact or for this code used up' };
  if (!assessment.issue)
    return {
      ...base,
      folder: 'Rejected',
      outcome: `rejected: ${assessment.answer!.kind}`,
      reply: { ...reply, locale: order.locale, answer: assessment.answer! },
    };

  const answer = await issueKeys(deps, request, entitlement, from, order.number, mail.messageId);
  return {
    ...base,
    folder: answer.kind === 'keys' ? 'Processed' : 'Rejected',
    outcome:
      answer.kind === 'keys'
        ? `keys: ${answer.devices.length} issued or resent, ${answer.refused.length} refused`
        : `rejected: ${answer.kind}`,
    reply: { ...reply, locale: order.locale, answer },
  };
}

async function codeRecords(deps: ActivationDeps, request: ActivationRequest): Promise<CodeRecords> {
  if (request.codes.length !== 1) return {};
  const entitlement = await deps.entitlements.byCode(request.codes[0]!);
  if (!entitlement) return {};
  const order = await deps.orders.get(entitlement.orderNumber);
  const product = deps.catalog.get(entitlement.product);
  return { entitlement, ...(order && { order }), ...(product && { product }) };
}

/** Claims a key per requested device; the answer names devices only (their keys are in the issued keys). */
async function issueKeys(
  deps: ActivationDeps,
  request: ActivationRequest,
  entitlement: CodeRecords['entitlement'] & object,
  from: string,
  orderNumber: string,
  messageId: string | undefined,
): Promise<StoredAnswer> {
  if (!deps.signingKey)
    throw new UnrecoverableError('LICENSE_SIGNING_KEY is not set: activation requests cannot be answered with keys');
  const product = deps.catalog.get(entitlement.product)!;
  const issuedOn = todayIn(deps.timeZone, deps.clock.now());
  const offers = request.devices.map((device) =>
    issueKey(entitlement, device, product.features, issuedOn, deps.signingKey!),
  );
  const claims = await deps.activations.claimKeys(entitlement.ssrn, entitlement.quantity, offers);
  const at = deps.clock.now().toISOString();
  const fresh = claims.flatMap((c) => (c.outcome === 'issued' ? [c.key] : []));
  if (fresh.length) {
    const records: ActivationRecord[] = fresh.map((k) => ({
      device: k.device,
      licenseId: k.licenseId,
      at,
      sender: from,
      ...(messageId && { messageId: messageId.slice(0, 998) }),
    }));
    await deps.activations.recordActivations(entitlement.ssrn, records, [
      webhookEvent(
        'activation.issued',
        `${entitlement.ssrn}/${fresh.map((k) => k.device).join(',')}`,
        {
          orderNumber,
          lines: [{ lineNumber: entitlement.lineNumber, ssrn: entitlement.ssrn }],
          recipient: from,
          devices: fresh.map((k) => ({ device: k.device, licenseId: k.licenseId })),
        },
        deps.clock.now(),
      ),
    ]);
    for (const k of fresh) {
      await deps.audit.record({
        actor: from,
        action: 'key-issue',
        order: orderNumber,
        outcome: 'issued',
        detail: { ssrn: entitlement.ssrn, device: k.device, licenseId: k.licenseId },
      });
    }
  }
  const granted = claims.flatMap((c) =>
    c.outcome === 'quantity-used-up' ? [] : [{ device: c.device, existing: c.outcome === 'existing' }],
  );
  const refused = claims.flatMap((c) => (c.outcome === 'quantity-used-up' ? [c.device] : []));
  return granted.length
    ? { kind: 'keys', ssrn: entitlement.ssrn, devices: granted, refused, quantity: entitlement.quantity }
    : { kind: 'quantity-used-up', refused, quantity: entitlement.quantity };
}
