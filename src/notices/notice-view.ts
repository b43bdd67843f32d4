import type { EmailFrame } from '../email/view.ts';
import type { LocaleStrings } from '../locale/strings.ts';
import { formatDate } from '../locale/format-date.ts';
import type { Brand, IsoDate } from '../model.ts';
import type { NoticeSource } from '../store/notices.ts';
import { noticeKind, paidTermEnd, type NoticeKey } from './schedule.ts';

/** Everything a subscription notice is rendered from: the order, the entitlements it concerns, the brand. */
/** What a notice shows: the store's source for it, without what only the sweep needs. */
export interface NoticeDocument {
  notice: NoticeKey;
  order: NoticeSource['order'];
  /** In line order. */
  entitlements: Array<Omit<NoticeSource['entitlements'][number], 'lineNumber' | 'renewed'>>;
  brand: Brand;
}

export interface NoticeView extends EmailFrame {
  lines: Array<{
    licenseName: string;
    description: string;
    fields: Array<{ label: string; value: string; mono: boolean }>;
  }>;
  actionTitle: string;
  actionSteps: string[];
  unsubscribeNote: string;
  unsubscribeLabel: string;
  unsubscribeUrl: string;
}

const earliest = (dates: IsoDate[]) => dates.reduce((a, b) => (b < a ? b : a));

/**
 * One recipient's notice, as plain strings in the order's language. Pure. The date in the subject and introduction
 * is the earliest of the listed entitlements: a catch-up after downtime may group entitlements that end days apart,
 * and each line shows its own dates.
 */
export function noticeView(
  doc: NoticeDocument,
  greetingLine: string,
  unsubscribeUrl: string,
  s: LocaleStrings,
): NoticeView {
  const { order, brand } = doc;
  const kind = noticeKind(doc.notice);
  const date = (d: IsoDate) => formatDate(d, s.text('dateLocale'));
  const paidEnds = doc.entitlements.map((e) => paidTermEnd(e));
  const headline = date(kind === 'reminder' ? earliest(paidEnds) : earliest(doc.entitlements.map((e) => e.endDate)));
  const data = { order: order.number, po: order.poNumber, endCustomer: order.endCustomer.name, date: headline };
  return {
    lang: s.text('lang'),
    subject: s.text(`notice.${kind}.subject`, data),
    brand: brand.name,
    heading: s.text(`notice.${kind}.heading`),
    greeting: greetingLine,
    intro: s.text(`notice.${kind}.intro`, data),
    lines: doc.entitlements.map((e, i) => ({
      licenseName: e.licenseName,
      description: e.description,
      fields: [
        { label: s.text('ssrn'), value: e.ssrn, mono: true },
        { label: s.text('sku'), value: e.sku, mono: true },
        { label: s.text('quantity'), value: String(e.quantity), mono: false },
        { label: s.text('startDate'), value: date(e.startDate), mono: false },
        { label: s.text('notice.paidTermEnd'), value: date(paidEnds[i]!), mono: false },
        {
          label: s.text('notice.expires'),
          value: e.graceDays ? s.text('endDateGrace', { date: date(e.endDate), grace: e.graceDays }) : date(e.endDate),
          mono: false,
        },
      ],
    })),
    actionTitle: s.text('notice.action.title'),
    actionSteps: s.list('notice.action.steps'),
    supportNote: s.text('supportNote'),
    supportEmail: brand.supportEmail,
    portalNote: s.text('portalNote'),
    portalUrl: brand.portalUrl,
    unsubscribeNote: s.text('notice.unsubscribeNote', { order: order.number }),
    unsubscribeLabel: s.text('notice.unsubscribe'),
    unsubscribeUrl,
    footer: s.text('footer', { order: order.number, brand: brand.name }),
  };
}
