import type { Clock } from '../clock.ts';
import { bouncesTotal } from '../metrics.ts';
import type { AuditLog } from '../store/audit.ts';
import type { DeliveryStore } from '../store/deliveries.ts';
import type { NoticeStore } from '../store/notices.ts';
import type { DeliveryStatusReport } from './parse-dsn.ts';
import type { Logger } from '../logger.ts';
import {
  deliveryEventData,
  noteIfUndeliverable,
  reportUndeliverable,
  type Undeliverable,
  type UndeliverableDeps,
} from '../delivery/note-undeliverable.ts';
import { webhookEvent } from '../webhook-rules/events.ts';

/**
 * `outbox` and `undeliverable`: delivery.bounced and the undeliverable check, in the transaction that marks the
 * bounce.
 */
export interface BounceDeps extends UndeliverableDeps {
  deliveries: DeliveryStore;
  notices: Pick<NoticeStore, 'markBounced'>;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/** bounced: a delivery was marked; the others changed nothing. */
export type BounceOutcome = 'bounced' | 'already-bounced' | 'not-a-failure' | 'unknown-message';

const MAX_ERROR = 500;

/** Our Message-IDs are `<deliveryId@domain>` (delivery/identity.ts): the local part names the delivery. */
function deliveryIdOf(messageId: string): string | undefined {
  return /^<([^@<>]+)@[^@<>]+>$/.exec(messageId)?.[1];
}

/**
 * Marks the delivery a report is about as bounced. A report is trusted only when the returned Message-ID is exactly the
 * one we stored for that delivery, so a forged or foreign DSN cannot bounce an arbitrary delivery by guessing an id.
 * Applying the same report twice changes nothing the second time (the mailbox watcher may hand a message on again).
 */
export async function applyBounce(deps: BounceDeps, report: DeliveryStatusReport): Promise<BounceOutcome> {
  if (report.failed.length === 0) return 'not-a-failure';
  const id = report.originalMessageId && deliveryIdOf(report.originalMessageId);
  const delivery = id ? await deps.deliveries.get(id) : undefined;
  if (id && !delivery) return applyNoticeBounce(deps, id, report);
  if (!id || !delivery || delivery.messageId !== report.originalMessageId) return 'unknown-message';
  if (delivery.status === 'bounced') return 'already-bounced';
  // One delivery has one recipient; a report listing several (a relay's view) is read for ours, else for the first.
  const failure =
    report.failed.find((f) => f.recipient.toLowerCase() === delivery.recipient.toLowerCase()) ?? report.failed[0]!;
  const at = deps.clock.now();
  const dsn = {
    ...(failure.status && { status: failure.status }),
    ...(failure.diagnostic && { diagnostic: failure.diagnostic.slice(0, MAX_ERROR) }),
  };
  let undeliverable: Undeliverable | undefined;
  const marked = await deps.deliveries.markBounced(id, at, dsn, async (tx) => {
    const lines = await deps.undeliverable.lines(tx, delivery.fulfillmentId, delivery.ssrns);
    await deps.outbox.record(
      tx,
      webhookEvent(
        'delivery.bounced',
        id,
        { ...deliveryEventData(delivery, lines), messageId: delivery.messageId, dsn },
        at,
      ),
    );
    undeliverable = await noteIfUndeliverable(deps, tx, delivery.fulfillmentId, at);
  });
  if (!marked) return 'already-bounced';
  bouncesTotal.inc();
  await deps.audit.record({
    actor: 'bounce',
    action: 'bounce',
    order: delivery.orderNumber,
    outcome: 'bounced',
    detail: { deliveryId: id, recipient: failure.recipient, ...dsn },
  });
  if (undeliverable) await reportUndeliverable(deps, undeliverable);
  return 'bounced';
}

/**
 * A subscription notice bounced: tracked on its delivery like a Fulfillment Email's (same trust rule: the exact
 * Message-ID).
 */
async function applyNoticeBounce(deps: BounceDeps, id: string, report: DeliveryStatusReport): Promise<BounceOutcome> {
  const failure = report.failed[0]!;
  const lastError = [failure.status, failure.diagnostic].filter(Boolean).join(' ').slice(0, MAX_ERROR);
  if (!(await deps.notices.markBounced(id, report.originalMessageId!, deps.clock.now(), lastError)))
    return 'unknown-message';
  bouncesTotal.inc();
  return 'bounced';
}
