import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CatalogProduct } from '../model.ts';

export const DEFAULT_CATALOG_PATH = fileURLToPath(new URL('../../fixtures/catalog.json', import.meta.url));

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
