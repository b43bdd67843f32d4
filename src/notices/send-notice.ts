import type { Logger } from '../logger.ts';
import { webhookEvent, type OutboxEvent } from '../webhook-rules/events.ts';
import type { Clock } from '../clock.ts';
import { DeliveryError } from '../errors.ts';
import { classifySmtpError } from '../mail/classify.ts';
import { composeMessage, type ComposedMessage } from '../mail/compose.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Brand } from '../model.ts';
import type { NoticeDeliveryRecord, NoticeSource, NoticeStore } from '../store/notices.ts';
import type { NoticeRenderer } from './notice-email.ts';
import type { NoticeKey } from './schedule.ts';
import { unsubscribeToken } from './unsubscribe-token.ts';

export interface SendNoticeDeps {
  notices: Pick<
    NoticeStore,
    | 'get'
    | 'source'
    | 'isOptedOut'
    | 'unsubscribeKey'
    | 'markSending'
    | 'markAccepted'
    | 'markAttempt'
    | 'markCancelled'
  >;
  renderer: NoticeRenderer;
  transport: MailTransport;
  clock: Clock;
  brand: Brand;
  /** REMINDER_FROM, and its address (where the mailto: unsubscribe goes). */
  from: string;
  fromAddress: string;
  publicUrl: string;
  logger: Logger;
}

export type SendNoticeOutcome = 'sent' | 'already-sent' | 'already-failed' | 'cancelled' | 'interrupted' | 'missing';

/**
 * The links of one address's List-Unsubscribe header (RFC 2369, RFC 8058) and of the message's own unsubscribe
 * link.
 */
export function unsubscribeLinks(
  key: Buffer,
  email: string,
  publicUrl: string,
  fromAddress: string,
): { url: string; mailto: string } {
  const token = unsubscribeToken(key, email);
  return { url: `${publicUrl}/unsubscribe/${token}`, mailto: `mailto:${fromAddress}?subject=unsubscribe%20${token}` };
}

/**
 * Sends one notice delivery, at most once. Like a Fulfillment Email's, acceptance is recorded right after the 250, so
 * a retry never sends again; unlike it, the attempt is recorded before SMTP is spoken to, and a job that finds an
 * attempt begun and never finished (its process died mid-send) does not send: a reminder missed is better than a
 * reminder twice (contract section 8). DeliveryError (permanent or not) lets the queue decide about retries on a type.
 * Checked again at send time, because a day may pass between sweep and send: an address that opted out meanwhile gets
 * nothing, and entitlements renewed meanwhile are left out (the whole message, when that leaves none).
 */
export async function sendNotice(
  deps: SendNoticeDeps,
  id: string,
  attempt: number,
  maxAttempts: number,
): Promise<SendNoticeOutcome> {
  const delivery = await deps.notices.get(id);
  if (!delivery) return 'missing';
  if (delivery.acceptedAt) return 'already-sent';
  if (delivery.status === 'failed' || delivery.status === 'bounced' || delivery.status === 'interrupted')
    return 'already-failed';
  if (delivery.status === 'cancelled') return 'cancelled';
  const log = deps.logger.child({
    order: delivery.orderNumber,
    notice: delivery.notice,
    jobId: id,
    recipient: delivery.recipient,
    attempt,
  });
  if (delivery.sendingSince) return interrupted(deps, delivery, log);
  if (await deps.notices.isOptedOut(delivery.recipient)) {
    await deps.notices.markCancelled(id, 'the recipient opted out of reminders');
    log.info('notice not sent: the recipient opted out');
    return 'cancelled';
  }
  const source = await deps.notices.source(delivery.orderNumber, delivery.ssrns);
  const entitlements = source?.entitlements.filter((e) => !e.renewed) ?? [];
  if (!source || entitlements.length === 0) {
    await deps.notices.markCancelled(id, 'every subscription it concerns was renewed');
    log.info('notice not sent: renewed meanwhile');
    return 'cancelled';
  }
  const { message, sent } = await composeNotice(deps, delivery, { ...source, entitlements });
  return transmit(deps, delivery, message, sent, { attempt, maxAttempts, log });
}

/** A send begun and never finished: recorded as interrupted, not sent again. */
async function interrupted(
  deps: SendNoticeDeps,
  delivery: NoticeDeliveryRecord,
  log: Logger,
): Promise<SendNoticeOutcome> {
  const error =
    `attempt ${delivery.attempts} stopped while talking to SMTP at ${delivery.sendingSince}; ` +
    'not sent again, so that it goes out at most once';
  await deps.notices.markAttempt(delivery.id, {
    status: 'interrupted',
    attempts: delivery.attempts,
    error,
    at: deps.clock.now(),
  });
  log.warn({ sendingSince: delivery.sendingSince }, 'notice interrupted mid-send: not sent again');
  return 'interrupted';
}

/** The message and its `notice.sent` event, for the entitlements still to be reminded of. */
async function composeNotice(deps: SendNoticeDeps, delivery: NoticeDeliveryRecord, source: NoticeSource) {
  const { entitlements } = source;
  const recipient = { email: delivery.recipient, ...(delivery.recipientName && { name: delivery.recipientName }) };
  const links = unsubscribeLinks(
    await deps.notices.unsubscribeKey(),
    delivery.recipient,
    deps.publicUrl,
    deps.fromAddress,
  );
  const rendered = deps.renderer.render(
    { notice: delivery.notice as NoticeKey, order: source.order, entitlements, brand: deps.brand },
    recipient,
    links.url,
  );
  const message = composeMessage({
    from: deps.from,
    to: recipient,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: delivery.messageId,
    attachments: [],
    deliveryId: delivery.id,
    unsubscribe: links,
  });
  // Built before SMTP is spoken to, so that nothing about it can fail between the 250 and recording it.
  const sent = webhookEvent(
    'notice.sent',
    delivery.id,
    {
      orderNumber: delivery.orderNumber,
      lines: entitlements.map((e) => ({ lineNumber: e.lineNumber, ssrn: e.ssrn })),
      recipient: delivery.recipient,
      notice: delivery.notice,
      ...(entitlements[0] && { endDate: entitlements[0].endDate }),
    },
    deps.clock.now(),
  );
  return { message, sent };
}

/** Records the attempt as begun, speaks SMTP, and records the answer. */
async function transmit(
  deps: SendNoticeDeps,
  delivery: NoticeDeliveryRecord,
  message: ComposedMessage,
  sent: OutboxEvent,
  run: { attempt: number; maxAttempts: number; log: Logger },
): Promise<SendNoticeOutcome> {
  const { id } = delivery;
  const { attempt, log } = run;
  await deps.notices.markSending(id, deps.clock.now(), attempt);
  try {
    const info = await deps.transport.send(message);
    await deps.notices.markAccepted(id, deps.clock.now(), info.response, attempt, sent);
    log.info({ messageId: delivery.messageId, response: info.response }, 'notice accepted');
    return 'sent';
  } catch (error) {
    const c = classifySmtpError(error);
    const final = !c.retry || attempt >= run.maxAttempts;
    await deps.notices.markAttempt(id, {
      status: final ? 'failed' : 'retrying',
      attempts: attempt,
      error: c.message,
      at: deps.clock.now(),
    });
    log.warn({ class: c.class, final, reason: c.message }, final ? 'notice failed' : 'notice will be retried');
    throw new DeliveryError(c.message, final, c.class);
  }
}
