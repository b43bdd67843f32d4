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
