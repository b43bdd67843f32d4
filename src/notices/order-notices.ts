import { addDays } from '../entitlement/dates.ts';
import type { IsoDate } from '../model.ts';
import type { NoticeDeliveryRecord, NoticeStore } from '../store/notices.ts';
import { noticesAhead, type NoticeKey } from './schedule.ts';

export interface OrderNotices {
  /** Every notice message recorded for the order, per recipient, with its delivery status. */
  sent: NoticeDeliveryRecord[];
  /** The notices still to come, per entitlement, from today on (none for one renewed). */
  due: Array<{ ssrn: string; notice: NoticeKey; date: IsoDate }>;
}

export interface OrderNoticesDeps {
  notices: Pick<NoticeStore, 'forOrder' | 'orderTimers'>;
  offsetsDays: readonly number[];
}

/** What support sees of an order's subscription timer. */
export async function orderNotices(deps: OrderNoticesDeps, orderNumber: string, today: IsoDate): Promise<OrderNotices> {
  const [sent, timers] = await Promise.all([deps.notices.forOrder(orderNumber), deps.notices.orderTimers(orderNumber)]);
  const recorded = new Set(sent.flatMap((d) => d.ssrns.map((ssrn) => `${ssrn}\u0000${d.notice}`)));
  const due = timers.flatMap((e) =>
    noticesAhead(e, deps.offsetsDays, addDays(today, -1), e.renewed)
      .filter((n) => !recorded.has(`${e.ssrn}\u0000${n.key}`))
      .map((n) => ({ ssrn: e.ssrn, notice: n.key, date: n.due })),
  );
  return { sent, due: due.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) };
}
