import { z } from 'zod';
import { uncoveredCharacters } from '../certificate/coverage.ts';
import { InvalidInputError, type FieldIssue } from '../errors.ts';

// The fulfillment event of contract section 1. The JSON Schema in the contract is the reference; this is its zod twin,
// strict (unknown keys rejected) so a typo in a sender's field name is an error, not silently ignored.

const isoDate = z.iso.date({ message: 'must be a calendar date YYYY-MM-DD' });
const ssrn = z.string().regex(/^[A-Z0-9-]{6,32}$/, 'must be 6 to 32 uppercase letters, digits or hyphens');

// Every free-text field reaches mail headers, PDFs and logs: one line, well-formed Unicode (a lone surrogate cannot be
// encoded as UTF-8), and no RFC 2047 encoded-word, which a mail reader would decode (possibly to a line break) when
// the text is a display name.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const ENCODED_WORD = /=\?[^?\s]+\?[bq]\?[^?\s]*\?=/i;
const singleLine = (max: number, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !/[\r\n\u0000]/.test(s), 'must not contain line breaks or NUL')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode (no lone surrogate)')
    .refine((s) => !ENCODED_WORD.test(s), 'must not contain an encoded-word (=?charset?Q?...?=)');

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Text the certificate prints: a character no certificate font has would print as an empty box, so it is refused. */
const printable = <T extends z.ZodType<string>>(schema: T) =>
  schema.superRefine((s, ctx) => {
    const missing = uncoveredCharacters(s);
    if (missing.length) {
      const listed = missing
        .slice(0, 5)
        .map((ch) => `"${ch}" (${codePoint(ch)})`)
        .join(', ');
      ctx.addIssue({ code: 'custom', message: `has characters the certificate cannot print: ${listed}` });
    }
  });

export const accountSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be 1 to 20 letters or digits'),
  role: z.enum(['customer', 'partner', 'end-customer']),
  name: printable(singleLine(200)).optional(),
});

const LOCAL_PART = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+";
const DNS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

// Addresses are ASCII only: internationalised local parts need SMTPUTF8, which the MTAs in the path may not offer,
// and a message that cannot reach one contact must be refused at intake, not discovered at send time.
export const emailAddress = z
  .string()
  .max(254)
  .regex(
    new RegExp(String.raw`^${LOCAL_PART}@${DNS_LABEL}(?:\.${DNS_LABEL})+$`),
    'must be a plain ASCII email address like name@example.com',
  );

export const contactSchema = z.strictObject({
  email: emailAddress,
  name: singleLine(200).optional(),
  role: singleLine(40, 0).optional(),
});

export const salesOrderSchema = z.strictObject({
  number: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1 to 32 letters, digits or hyphens'),
  poNumber: printable(singleLine(64)).optional(),
  accounts: z.array(accountSchema).min(1).max(20),
  endCustomer: z.strictObject({
    name: printable(singleLine(200)),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 two-letter code')
      .optional(),
  }),
  contacts: z.array(contactSchema).min(1).max(50),
  locale: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a BCP 47 tag like en or de-CH')
    .optional(),
});

export const lineSchema = z
  .strictObject({
    lineNumber: z.string().regex(/^[A-Za-z0-9.-]{1,16}$/, 'must be 1 to 16 letters, digits, dots or hyphens'),
    sku: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'must be uppercase letters, digits and hyphens'),
    product: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a catalog key (lowercase letters, digits, hyphens)'),
    licenseName: printable(singleLine(200)),
    description: singleLine(2000),
    quantity: z.int().min(1).max(100000),
    licenseType: z.enum(['subscription', 'perpetual']),
    termMonths: z.int().min(1).max(120).optional(),
    purchase: z.enum(['initial', 'renewal']),
    renews: z.strictObject({ ssrn: ssrn.optional(), endDate: isoDate.optional() }).optional(),
    activationCode: z.string().regex(/^[A-Za-z0-9-]{8,40}$/, 'must be 8 to 40 letters, digits or hyphens'),
    ssrn,
    shipDate: isoDate,
    devices: z
      .array(z.string().regex(/^[A-Za-z0-9-]{4,64}$/, 'must be a serial number or UUID'))
      .max(1000)
      .optional(),
  })
  .superRefine((line, ctx) => {
    if (line.licenseType === 'subscription' && line.termMonths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['termMonths'], message: 'is required for subscriptions' });
    }
    if (line.licenseType === 'perpetual' && line.termMonths !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['termMonths'], message: 'must be absent for perpetual licenses' });
    }
    if (line.purchase === 'renewal' && line.renews === undefined) {
      ctx.addIssue({ code: 'custom', path: ['renews'], message: 'is required for renewals' });
    }
    if (line.purchase === 'renewal' && line.licenseType === 'perpetual') {
      ctx.addIssue({ code: 'custom', path: ['purchase'], message: 'a perpetual license cannot be a renewal' });
    }
    if (line.devices && new Set(line.devices).size !== line.devices.length) {
      ctx.addIssue({ code: 'custom', path: ['devices'], message: 'lists a device twice' });
    }
  });

export const fulfillmentEventSchema = z
  .strictObject({
    eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ : -'),
    salesOrder: salesOrderSchema,
    lines: z.array(lineSchema).min(1).max(500),
  })
  .superRefine((event, ctx) => {
    const seen = {
      lineNumber: new Map<string, number>(),
      activationCode: new Map<string, number>(),
      ssrn: new Map<string, number>(),
    };
    event.lines.forEach((line, i) => {
      for (const field of ['lineNumber', 'activationCode', 'ssrn'] as const) {
        const first = seen[field].get(line[field]);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['lines', i, field], message: `repeats lines[${first}].${field}` });
        } else seen[field].set(line[field], i);
      }
    });
    const emails = new Set<string>();
    event.salesOrder.contacts.forEach((c, i) => {
      const key = c.email.toLowerCase();
      if (emails.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['salesOrder', 'contacts', i, 'email'],
          message: 'lists an address twice',
        });
      emails.add(key);
    });
  });

export type FulfillmentEvent = z.infer<typeof fulfillmentEventSchema>;
export type EventLine = FulfillmentEvent['lines'][number];

export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issuePath(issue.path) || '(root)', message: issue.message }));
}

/** Validates the shape of an event; catalog and store checks come after, in intake. */
export function parseEvent(input: unknown): FulfillmentEvent {
  const result = fulfillmentEventSchema.safeParse(input);
  if (!result.success) throw new InvalidInputError('invalid fulfillment event', zodIssues(result.error));
  return result.data;
}
