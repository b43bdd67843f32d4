import { entitlementStatus } from '../entitlement/status.ts';
import type { Entitlement } from '../model.ts';
import type { LocaleStrings } from '../locale/strings.ts';
import type { OrderNotices } from '../notices/order-notices.ts';
import type { DeliveryWithAttempts } from '../store/deliveries.ts';
import type { OrderView } from '../support/order-view.ts';

/** An instant as support reads it everywhere: UTC, to the second, unambiguous in every language. */
export const instantText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

export function entitlementRow(e: Omit<Entitlement, 'orderNumber'>, today: string, s: LocaleStrings) {
  const status = entitlementStatus(e, today);
  return { ...e, status, statusLabel: s.text(`status.${status}`) };
}

interface TimelineEvent {
  at: string;
  atText: string;
  label: string;
  detail?: string;
}

/** What happened to one message, oldest first: queued, each attempt with the server's answer, sent, failed, bounced. */
export function deliveryTimeline(d: DeliveryWithAttempts, s: LocaleStrings): TimelineEvent[] {
  const event = (at: string | undefined, label: string, detail?: string): TimelineEvent[] =>
    at ? [{ at, atText: instantText(at), label, ...(detail && { detail }) }] : [];
  const attempts = d.attemptLog.flatMap((a) =>
    event(
      a.at,
      `${s.text('timeline.attempt', { attempt: a.attempt })} · ${s.text(`delivery.${a.outcome}`)}`,
      a.response,
    ),
  );
  // The server's answers are on the attempts; the outcome lines repeat them only when no attempt was logged.
  const answer = (text: string | undefined) => (attempts.length ? undefined : text);
  return [
    ...event(d.createdAt, s.text('timeline.created')),
    ...event(d.queuedAt, s.text('timeline.queued')),
    ...attempts,
    ...event(d.acceptedAt, s.text('timeline.sent'), answer(d.smtpResponse)),
    ...event(d.failedAt, s.text('timeline.failed'), answer(d.lastError)),
    ...event(d.bouncedAt, s.text('timeline.bounced'), d.lastError),
  ];
}

export interface ResendFormState {
  lines?: string[];
  to?: string[];
  other?: string;
  reason?: string;
  /** The form's Idempotency-Key: a form sent twice (a double click, the back button) resends once. */
  key: string;
}

/**
 * The order page's model: the order, each entitlement's status today, each recipient's timeline, keys, the resend form.
 */
export function orderPage(view: OrderView, today: string, s: LocaleStrings, form: ResendFormState) {
  const shippedLines = new Set(
    view.entitlements
      .filter((e) => view.fulfillments.some((f) => f.shippedAt && f.eventId === e.eventId && f.shipDate === e.shipDate))
      .map((e) => e.lineNumber),
  );
  return {
    order: view.order,
    certificate: view.fulfillments.some((f) => f.shippedAt),
    entitlements: view.entitlements.map((e) => entitlementRow(e, today, s)),
    fulfillments: view.fulfillments.map((f) => {
      const recipients = [...new Set(f.deliveries.map((d) => d.recipient))];
      return {
        shipDate: f.shipDate,
        certificateNumber: f.certificateNumber,
        shipped: Boolean(f.shippedAt),
        recipients: recipients.map((recipient) => ({
          recipient,
          deliveries: f.deliveries
            .filter((d) => d.recipient === recipient)
            .map((d) => ({
              kind: s.text(`kind.${d.kind}`),
              status: d.status,
              statusLabel: s.text(`delivery.${d.status}`),
              reason: d.reason,
              requestedBy: d.requestedBy,
              events: deliveryTimeline(d, s),
            })),
        })),
      };
    }),
    keys: view.entitlements.flatMap((e) =>
      e.keys.map((k) => ({
        lineNumber: e.lineNumber,
        ssrn: e.ssrn,
        device: k.device,
        licenseId: k.licenseId,
        issuedOn: k.issuedOn,
        activatedBy: e.activations.find((a) => a.device === k.device)?.sender ?? '',
      })),
    ),
    resend: {
      lines: view.entitlements.map((e) => ({
        value: e.lineNumber,
        label: `${e.lineNumber} · ${e.licenseName} · ${e.ssrn}`,
        checked: shippedLines.has(e.lineNumber) && (form.lines ? form.lines.includes(e.lineNumber) : true),
        disabled: !shippedLines.has(e.lineNumber),
      })),
      contacts: view.order.contacts.map((c) => ({
        email: c.email,
        checked: form.to ? form.to.includes(c.email) : true,
      })),
      other: form.other ?? '',
      reason: form.reason ?? '',
      key: form.key,
    },
  };
}

/** A notice's name as support reads it: `reminder-90`, `grace`, `expiry`. */
function noticeLabel(key: string, s: LocaleStrings): string {
  const reminder = /^reminder-(\d+)$/.exec(key);
  return reminder ? s.text('notice.reminder', { days: Number(reminder[1]) }) : s.text(`notice.${key}`);
}

/** The order page's notices: each notice message, grouped by recipient, with its status; then those still due. */
export function noticesSection(notices: OrderNotices, s: LocaleStrings) {
  const recipients = [...new Set(notices.sent.map((n) => n.recipient))];
  return {
    sent: recipients.flatMap((recipient) =>
      notices.sent
        .filter((n) => n.recipient === recipient)
        .map((n) => {
          const last = n.bouncedAt ?? n.failedAt ?? n.acceptedAt ?? n.createdAt;
          return {
            recipient,
            label: noticeLabel(n.notice, s),
            date: n.noticeDate,
            ssrns: n.ssrns,
            status: n.status,
            statusLabel: s.text(`delivery.${n.status}`),
            at: last,
            atText: instantText(last),
            detail: n.lastError ?? n.smtpResponse,
          };
        }),
    ),
    due: notices.due.map((n) => ({ label: noticeLabel(n.notice, s), ssrn: n.ssrn, date: n.date })),
  };
}
