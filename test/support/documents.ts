import { readFileSync } from 'node:fs';
import { loadCatalog } from '../../src/catalog/catalog.ts';
import { parseEvent, type FulfillmentEvent } from '../../src/event/schema.ts';
import { documentsFromEvent } from '../../src/entitlement/documents.ts';
import type { Brand, FulfillmentDocument, IssuedKey } from '../../src/model.ts';

export const EXAMPLES = ['order-ex-srx', 'order-heritage-de', 'order-ja'] as const;

export const TEST_BRAND: Brand = {
  name: 'Acme Licensing',
  portalUrl: 'https://portal.example.net',
  publicUrl: 'https://licensing.example.net',
  supportEmail: 'support@example.net',
  activationAddress: 'activate@example.net',
  paperSize: 'A4',
};

/** A key as the signer writes it: the license ID, then eight rows of base32 groups. */
export function sampleKey(device: string, licenseId: string, issuedOn = '2027-01-15'): IssuedKey {
  return {
    device,
    licenseId,
    issuedOn,
    key: `${licenseId}\n${'ABCDE FGHIJ KLMNO PQRST UVWXY Z2345\n'.repeat(8).trimEnd()}`,
  };
}

export function loadExample(name: string): FulfillmentEvent {
  return parseEvent(JSON.parse(readFileSync(new URL(`../../fixtures/orders/${name}.json`, import.meta.url), 'utf8')));
}

/**
 * Every fulfillment document of an event (one per ship date), built with the production rules.
 * `keys` supplies issued keys per SSRN for key-in-email lines (tests that need real keys pass them in).
 */
export function documentsFor(
  event: FulfillmentEvent,
  keys: Record<string, IssuedKey[]> = {},
  brand: Brand = TEST_BRAND,
): FulfillmentDocument[] {
  return documentsFromEvent(event, loadCatalog(), brand, (e) => keys[e.ssrn] ?? []);
}

/** All documents of one of the contract's example events. */
export function exampleDocuments(name: (typeof EXAMPLES)[number]): FulfillmentDocument[] {
  return documentsFor(loadExample(name));
}

/** A code of the same length as `code`, unique for each `i` below 1000: the line's number takes its last characters. */
const numbered = (code: string, i: number) => `${code.slice(0, -3)}${String(i + 1).padStart(3, '0')}`;

/**
 * One fulfillment of `count` lines in `locale`: the lines of the example orders (every delivery mode) over and over,
 * each with its own line number, Activation Code and SSRN, all shipped on the first example's ship date.
 */
export function longOrderDocument(
  count: number,
  locale = 'en',
  keys: Record<string, IssuedKey[]> = {},
): FulfillmentDocument {
  const base = loadExample('order-ex-srx');
  const pool = ['order-ex-srx', 'order-cloud-security', 'order-heritage-de'].flatMap((n) => loadExample(n).lines);
  const lines = Array.from({ length: count }, (_, i) => {
    const line = pool[i % pool.length]!;
    return {
      ...line,
      lineNumber: String(i + 1),
      activationCode: numbered(line.activationCode, i),
      ssrn: numbered(line.ssrn, i),
      shipDate: base.lines[0]!.shipDate,
    };
  });
  const event = { ...base, salesOrder: { ...base.salesOrder, locale }, lines };
  const [doc, ...more] = documentsFor(parseEvent(event), keys);
  if (more.length) throw new Error('a long order is one fulfillment');
  return doc!;
}
