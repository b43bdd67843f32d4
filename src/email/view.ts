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

/** A link with its text: a product's own portal, or a message to the activation mailbox. */
export interface EmailLink {
  href: string;
  label: string;
}

export interface EmailLine {
  licenseName: string;
  description: string;
  sku: string;
  quantity: string;
  activationCode: string;
  ssrn: string;
  fields: Array<{ label: string; value: string; mono: boolean }>;
  modeTitle: string;
  modeSteps: string[];
  /** For `product-portal`: the product's own portal, named. */
  portalLink?: EmailLink;
  /** For `email-activation`: a mailto: link to the activation address with the code as the subject. */
  mailLink?: EmailLink;
  keys: Array<{ device: string; key: string }>;
  instructionsUrl: string;
  deviceLabel: string;
}

/**
 * The HTML of a long order: one short row per line (name, SKU, quantity, Activation Code, SSRN, keys), and the steps
 * once per product. The text part and the certificate keep every detail of every line.
 */
export interface EmailTable {
  note: string;
  licenseHeading: string;
  codesHeading: string;
  products: Array<{
    name: string;
    modeTitle: string;
    modeSteps: string[];
    portalLink?: EmailLink;
    instructionsUrl: string;
  }>;
}

export interface EmailView extends EmailFrame {
  certificateNote: string;
  deviceLabel: string;
  instructionsLabel: string;
  lines: EmailLine[];
  /** Set when the order has more lines than FULL_LAYOUT_MAX_LINES: the HTML then shows this table instead. */
  table?: EmailTable;
  accountsLabel: string;
  accounts: string;
}

/**
 * Orders up to this many lines show every detail of every line in the HTML, a card per line; longer ones get the
 * table, a short row per line, so that the contract's longest orders stay under Gmail's clipping size, past which it
 * hides the rest of the email, support address included. Chosen by measurement: docs/documents.md.
 */
export const FULL_LAYOUT_MAX_LINES = 10;

/** The only line of the email that differs between the recipients of one fulfillment. */
export function greeting(recipient: Contact, s: LocaleStrings): string {
  return recipient.name ? s.text('greetingNamed', { name: recipient.name }) : s.text('greeting');
}

type DocumentLine = FulfillmentDocument['lines'][number];

/** What a line's delivery steps name, whether for the line itself or (in the table) for every line of a product. */
function stepData(doc: FulfillmentDocument, portal: EmailLink | undefined, code: string, ssrn: string) {
  const { brand } = doc;
  return {
    portal: brand.portalUrl,
    code,
    ssrn,
    address: brand.activationAddress,
    support: brand.supportEmail,
    portalName: portal?.label,
  };
}

function portalLink(product: DocumentLine['product']): EmailLink | undefined {
  if (product.mode !== 'product-portal' || !product.portalUrl) return undefined;
  return { href: product.portalUrl, label: product.portalName ?? new URL(product.portalUrl).host };
}

function modeSteps(doc: FulfillmentDocument, product: DocumentLine['product'], s: LocaleStrings, data: object) {
  const noAddress = product.mode === 'email-activation' && !doc.brand.activationAddress;
  return s.list(noAddress ? 'mode.email-activation.noAddress' : `mode.${product.mode}.steps`, data);
}

const mailto = (address: string, subject: string) => `mailto:${address}?subject=${encodeURIComponent(subject)}`;

function lineView(doc: FulfillmentDocument, line: DocumentLine, s: LocaleStrings): EmailLine {
  const { entitlement: e, product, keys } = line;
  const date = (d: string) => formatDate(d, s.text('dateLocale'));
  const term = e.licenseType === 'perpetual' ? s.text('perpetual') : s.text('subscription', { months: e.termMonths });
  // The grace period is named beside the end date, or readers would count the term and find 30 days too many.
  const end = e.endDate
    ? e.graceDays
      ? s.text('endDateGrace', { date: date(e.endDate), grace: e.graceDays })
      : date(e.endDate)
    : s.text('noEnd');
  const address = product.mode === 'email-activation' ? doc.brand.activationAddress : undefined;
  const portal = portalLink(product);
  return {
    licenseName: e.licenseName,
    description: e.description,
    sku: e.sku,
    quantity: String(e.quantity),
    activationCode: e.activationCode,
    ssrn: e.ssrn,
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
    modeSteps: modeSteps(doc, product, s, stepData(doc, portal, e.activationCode, e.ssrn)),
    ...(portal && { portalLink: portal }),
    ...(address && {
      mailLink: {
        href: mailto(address, s.text('activationMailSubject', { code: e.activationCode })),
        label: s.text('activationMailLink', { code: e.activationCode }),
      },
    }),
    keys: keys.map((k) => ({ device: k.device, key: k.key })),
    instructionsUrl: product.instructionsUrl,
    deviceLabel: s.text('device'),
  };
}

/** The table of a long order: its headings, and the steps of each of its products once, pointing to the table. */
function tableView(doc: FulfillmentDocument, s: LocaleStrings): EmailTable {
  const products = new Map(doc.lines.map(({ product }) => [product.key, product]));
  const inTable = s.text('table.inTable');
  return {
    note: s.text('table.note', { count: doc.lines.length }),
    licenseHeading: s.text('table.license'),
    codesHeading: s.text('table.codes'),
    products: [...products.values()].map((product) => {
      const portal = portalLink(product);
      return {
        name: product.displayName,
        modeTitle: s.text(`mode.${product.mode}.title`),
        modeSteps: modeSteps(doc, product, s, stepData(doc, portal, inTable, inTable)),
        ...(portal && { portalLink: portal }),
        instructionsUrl: product.instructionsUrl,
      };
    }),
  };
}

/** Everything the email shows, as plain strings in the recipient's language, with the greeting given. Pure. */
export function emailView(doc: FulfillmentDocument, greetingLine: string, s: LocaleStrings): EmailView {
  const { order, brand, fulfillment } = doc;
  return {
    lang: s.text('lang'),
    subject: s.text('subject', { order: order.number, po: order.poNumber, endCustomer: order.endCustomer.name }),
    brand: brand.name,
    heading: s.text('heading'),
    greeting: greetingLine,
    intro: s.text('intro', { order: order.number, po: order.poNumber, endCustomer: order.endCustomer.name }),
    certificateNote: s.text('certificateNote', { certificate: fulfillment.certificateNumber }),
    deviceLabel: s.text('device'),
    instructionsLabel: s.text('instructions'),
    lines: doc.lines.map((line) => lineView(doc, line, s)),
    ...(doc.lines.length > FULL_LAYOUT_MAX_LINES && { table: tableView(doc, s) }),
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
