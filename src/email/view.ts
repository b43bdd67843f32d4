import { formatDate } from '../locale/format-date.ts';
import type { Contact, FulfillmentDocument } from '../model.ts';
import type { LocaleStrings } from '../locale/strings.ts';

/** What every email shows around its content: the shared layout (templates/email/layout/) and the opening. */
export interface EmailFrame {
  lang: string;
  subject: string;
  brand: string;
  heading: string;
  greeting: string;
  intro: string;
  portalNote: string;
  portalUrl: string;
  supportNote: string;
  supportEmail: string;
  footer: string;
}

export interface EmailView extends EmailFrame {
  certificateNote: string;
  deviceLabel: string;
  instructionsLabel: string;
  lines: Array<{
    licenseName: string;
    description: string;
    fields: Array<{ label: string; value: string; mono: boolean }>;
    modeTitle: string;
    modeSteps: string[];
    /** For `email-activation`: a mailto: link to the activation address with the code as the subject. */
    modeLink?: { href: string; label: string };
    keys: Array<{ device: string; key: string }>;
    instructionsUrl: string;
    deviceLabel: string;
  }>;
  accountsLabel: string;
  accounts: string;
}

/** The only line of the email that differs between the recipients of one fulfillment. */
export function greeting(recipient: Contact, s: LocaleStrings): string {
  return recipient.name ? s.text('greetingNamed', { name: recipient.name }) : s.text('greeting');
}

/** Everything the email shows, as plain strings in the recipient's language, with the greeting given. Pure. */
export function emailView(doc: FulfillmentDocument, greetingLine: string, s: LocaleStrings): EmailView {
  const { order, brand, fulfillment } = doc;
  const dateLocale = s.text('dateLocale');
  const date = (d: string) => formatDate(d, dateLocale);
  const deviceLabel = s.text('device');
  return {
    lang: s.text('lang'),
    subject: s.text('subject', { order: order.number, po: order.poNumber, endCustomer: order.endCustomer.name }),
    brand: brand.name,
    heading: s.text('heading'),
    greeting: greetingLine,
    intro: s.text('intro', { order: order.number, po: order.poNumber, endCustomer: order.endCustomer.name }),
    certificateNote: s.text('certificateNote', { certificate: fulfillment.certificateNumber }),
    deviceLabel,
    instructionsLabel: s.text('instructions'),
    lines: doc.lines.map(({ entitlement: e, product, keys }) => {
      const term =
        e.licenseType === 'perpetual' ? s.text('perpetual') : s.text('subscription', { months: e.termMonths });
      // The grace period is named beside the end date, or readers would count the term and find 30 days too many.
      const end = e.endDate
        ? e.graceDays
          ? s.text('endDateGrace', { date: date(e.endDate), grace: e.graceDays })
          : date(e.endDate)
        : s.text('noEnd');
      const data = {
        portal: brand.portalUrl,
        code: e.activationCode,
        ssrn: e.ssrn,
        address: brand.activationAddress,
        support: brand.supportEmail,
      };
      const activationByEmail = product.mode === 'email-activation';
      return {
        licenseName: e.licenseName,
        description: e.description,
        fields: [
          { label: s.text('sku'), value: e.sku, mono: true },
          { label: s.text('quantity'), value: String(e.quantity), mono: false },
          { label: s.text('activationCode'), value: e.activationCode, mono: true },
          { label: s.text('ssrn'), value: e.ssrn, mono: true },
          {
            label: s.text('licenseType'),
            value: e.renewsSsrn ? `${term}, ${s.text('renewal', { ssrn: e.renewsSsrn })}` : term,
            mono: false,
          },
          { label: s.text('startDate'), value: date(e.startDate), mono: false },
          { label: s.text('endDate'), value: end, mono: false },
        ],
        modeTitle: s.text(`mode.${product.mode}.title`),
        modeSteps: s.list(
          activationByEmail && !brand.activationAddress
            ? 'mode.email-activation.noAddress'
            : `mode.${product.mode}.steps`,
          data,
        ),
        ...(activationByEmail &&
          brand.activationAddress && {
            modeLink: {
              href: `mailto:${brand.activationAddress}?subject=${encodeURIComponent(s.text('activationMailSubject', { code: e.activationCode }))}`,
              label: s.text('activationMailLink', { code: e.activationCode }),
            },
          }),
        keys: keys.map((k) => ({ device: k.device, key: k.key })),
        instructionsUrl: product.instructionsUrl,
        deviceLabel,
      };
    }),
    accountsLabel: s.text('accounts'),
    accounts: order.accounts
      .map((a) => `${a.id}${a.name ? ` ${a.name}` : ''} (${s.text(`role.${a.role}`)})`)
      .join(', '),
    portalNote: s.text('portalNote'),
    portalUrl: brand.portalUrl,
    supportNote: s.text('supportNote'),
    supportEmail: brand.supportEmail,
    footer: s.text('footer', { order: order.number, brand: brand.name }),
  };
}
