import { createHash } from 'node:crypto';
import { deliveryId, messageIdFor } from '../delivery/identity.ts';
import type { IsoDate } from '../model.ts';
import type { NoticeKey, ScheduledNotice } from './schedule.ts';

// From "these notices are due" to "these messages go out": one message per order, notice, date and recipient, listing
// every entitlement of the order that the notice concerns. Pure.

export interface DueNotice {
  ssrn: string;
  orderNumber: string;
  notice: ScheduledNotice;
  /** The entitlement's whole schedule, to recognise a later notice already sent (a sweep run for a past date). */
  schedule: readonly ScheduledNotice[];
}

export interface NoticeRecipient {
  orderNumber: string;
  email: string;
  name?: string;
}

/** A notice already recorded for an entitlement and a recipient: it never goes out again. */
export interface NoticeClaim {
  ssrn: string;
  notice: NoticeKey;
  recipient: string;
}

/** One message to one recipient: the unit that is recorded, queued, sent and tracked. */
export interface PlannedNotice {
  id: string;
  /** Order, date, notice and the entitlements listed: the recipients of one group get the same message. */
  groupId: string;
  orderNumber: string;
  notice: NoticeKey;
  date: IsoDate;
  ssrns: string[];
  recipient: string;
  recipientName?: string;
  messageId: string;
}

const claimKey = (ssrn: string, notice: string, recipient: string) => `${ssrn}\u0000${notice}\u0000${recipient}`;

function ssrnsTag(ssrns: readonly string[]): string {
  return createHash('sha256').update(ssrns.join(',')).digest('hex').slice(0, 10);
}

/**
 * The messages a sweep of `date` sends. `due` in line order (the order messages list entitlements in); recipients are
 * the order's contacts still subscribed; an entitlement a recipient already had this notice (or a later one) for is
 * left out of that recipient's message, and a message left with none is not sent.
 */
export function planNotices(
  date: IsoDate,
  due: readonly DueNotice[],
  recipients: readonly NoticeRecipient[],
  claims: readonly NoticeClaim[],
  fromAddress: string,
): PlannedNotice[] {
  const claimed = new Set(claims.map((c) => claimKey(c.ssrn, c.notice, c.recipient.toLowerCase())));
  const byOrder = new Map<string, NoticeRecipient[]>();
  for (const r of recipients) byOrder.set(r.orderNumber, [...(byOrder.get(r.orderNumber) ?? []), r]);
  const groups = new Map<string, { orderNumber: string; notice: NoticeKey; items: DueNotice[] }>();
  for (const d of due) {
    const key = `${d.orderNumber}\u0000${d.notice.key}`;
    const group = groups.get(key) ?? { orderNumber: d.orderNumber, notice: d.notice.key, items: [] };
    group.items.push(d);
    groups.set(key, group);
  }
  const planned: PlannedNotice[] = [];
  for (const { orderNumber, notice, items } of groups.values()) {
    for (const r of byOrder.get(orderNumber) ?? []) {
      const email = r.email.toLowerCase();
      const ssrns = items.filter((d) => !alreadyHad(d, email, claimed)).map((d) => d.ssrn);
      if (ssrns.length === 0) continue;
      const groupId = `${orderNumber}.${date}.${notice}.${ssrnsTag(ssrns)}`;
      const id = deliveryId(`n.${groupId}`, email);
      planned.push({
        id,
        groupId,
        orderNumber,
        notice,
        date,
        ssrns,
        recipient: email,
        ...(r.name && { recipientName: r.name }),
        messageId: messageIdFor(id, fromAddress),
      });
    }
  }
  return planned;
}

/** This notice, or one that falls due after it, was already recorded for this entitlement and recipient. */
function alreadyHad(d: DueNotice, email: string, claimed: ReadonlySet<string>): boolean {
  const at = d.schedule.findIndex((n) => n.key === d.notice.key);
  return d.schedule.slice(at).some((n) => claimed.has(claimKey(d.ssrn, n.key, email)));
}
