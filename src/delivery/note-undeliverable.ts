import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import type { MailTransport } from '../mail/transport.ts';
import { composeMessage } from '../mail/compose.ts';
import { ordersUndeliverableTotal } from '../metrics.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import type { UndeliverableFulfillments } from '../store/undeliverable.ts';
import type { WebhookOutbox } from '../store/webhook-outbox.ts';
import { webhookEvent } from '../webhook-rules/events.ts';
import { undeliverableNotice, unreachedRecipients, type UnreachedRecipient } from '../delivery-rules/undeliverable.ts';

/** What every delivery.* event says about its delivery. */
export function deliveryEventData(
  d: Pick<DeliveryRecord, 'id' | 'orderNumber' | 'fulfillmentId' | 'kind' | 'recipient'>,
  lines: Array<{ lineNumber: string; ssrn: string }>,
) {
  return {
    orderNumber: d.orderNumber,
    fulfillmentId: d.fulfillmentId,
    deliveryId: d.id,
    kind: d.kind,
    recipient: d.recipient,
    lines,
  };
}

export interface UndeliverableDeps {
  undeliverable: Pick<UndeliverableFulfillments, 'lockAndRead' | 'mark' | 'lines'>;
  outbox: Pick<WebhookOutbox, 'record'>;
}

export interface Undeliverable {
  orderNumber: string;
  fulfillmentId: string;
  recipients: UnreachedRecipient[];
}

/**
 * Call in the transaction that made one of a fulfillment's deliveries final (failed or bounced), after that change.
 * When no recipient of the fulfillment is left to reach, marks it undeliverable and records `order.undeliverable`,
 * both in `tx` and both once per fulfillment. Returns what it marked, for `reportUndeliverable` after the commit.
 */
export async function noteIfUndeliverable(
  deps: UndeliverableDeps,
  tx: Queryable,
  fulfillmentId: string,
  at: Date,
): Promise<Undeliverable | undefined> {
  const reach = await deps.undeliverable.lockAndRead(tx, fulfillmentId);
  const recipients = reach && unreachedRecipients(reach.deliveries);
  if (!reach || !recipients) return undefined;
  if (!(await deps.undeliverable.mark(tx, fulfillmentId, reach.orderNumber, recipients, at))) return undefined;
  await deps.outbox.record(
    tx,
    webhookEvent(
      'order.undeliverable',
      fulfillmentId,
      { orderNumber: reach.orderNumber, fulfillmentId, lines: reach.lines, recipients },
      at,
    ),
  );
  return { orderNumber: reach.orderNumber, fulfillmentId, recipients };
}

/** After the commit: the audit line, the metric and the log line of an undeliverable fulfillment. */
export async function reportUndeliverable(
  deps: { audit: { record(entry: AuditEntry): Promise<void> }; logger: Logger },
  u: Undeliverable,
): Promise<void> {
  ordersUndeliverableTotal.inc();
  deps.logger.error(
    { order: u.orderNumber, fulfillmentId: u.fulfillmentId, recipients: u.recipients },
    'order undeliverable: no recipient could be reached',
  );
  await deps.audit.record({
    actor: 'delivery',
    action: 'order.undeliverable',
    order: u.orderNumber,
    outcome: 'undeliverable',
    detail: { fulfillmentId: u.fulfillmentId, recipients: u.recipients },
  });
}

export interface SupportNoticeDeps {
  db: Pick<Db, 'transaction'>;
  undeliverable: Pick<UndeliverableFulfillments, 'nextToNotify' | 'markNotified'>;
  transport: MailTransport;
  mailFrom: string;
  mailFromAddress: string;
  supportEmail: string;
  brandName: string;
  clock: Clock;
}

/**
 * Sends SUPPORT_EMAIL one message per undeliverable fulfillment not yet told. The row stays locked while its message
 * is sent and is marked in the same transaction, so two processes never both send it; a crash before the commit
 * sends it again later, under the same Message-ID. Returns how many were sent.
 */
export async function notifySupport(deps: SupportNoticeDeps): Promise<number> {
  let sent = 0;
  while (
    await deps.db.transaction(async (tx) => {
      const u = await deps.undeliverable.nextToNotify(tx);
      if (!u) return false;
      const notice = undeliverableNotice({ ...u, brandName: deps.brandName });
      await deps.transport.send(
        composeMessage({
          from: deps.mailFrom,
          to: { email: deps.supportEmail },
          subject: notice.subject,
          text: notice.text,
          attachments: [],
          messageId: `<undeliverable.${u.fulfillmentId}@${deps.mailFromAddress.split('@')[1]}>`,
        }),
      );
      await deps.undeliverable.markNotified(tx, u.fulfillmentId, deps.clock.now());
      return true;
    })
  )
    sent++;
  return sent;
}
