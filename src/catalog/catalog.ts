import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CatalogProduct } from '../model.ts';
import { projectFile } from '../project-files.ts';

export const DEFAULT_CATALOG_PATH = projectFile('fixtures/catalog.json');

const productSchema = z.object({
  family: z.string().min(1),
  displayName: z.string().min(1),
  mode: z.enum(['portal', 'product-portal', 'key-in-email', 'email-activation']),
  instructionsUrl: z.url(),
  features: z.array(z.string().min(1)).min(1),
});

const catalogSchema = z.object({
  products: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), productSchema),
});

export type Catalog = ReadonlyMap<string, CatalogProduct>;

export function parseCatalog(json: unknown): Catalog {
  const parsed = catalogSchema.parse(json);
  return new Map(Object.entries(parsed.products).map(([key, p]) => [key, { key, ...p }]));
}

export function loadCatalog(path = DEFAULT_CATALOG_PATH): Catalog {
  return parseCatalog(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * Start-up's warning where products are activated by email and no activation address is set (ACTIVATION_ADDRESS, or
 * the IMAP user): their customers would be told to write to support instead.
 */
export function activationAddressWarning(catalog: Catalog, activationAddress: string | undefined): string | undefined {
  if (activationAddress) return undefined;
  const products = [...catalog.values()].filter((p) => p.mode === 'email-activation').map((p) => p.key);
  if (!products.length) return undefined;
  return `ACTIVATION_ADDRESS is not set: customers of ${products.join(', ')} (email-activation) are told to write to support`;
}
