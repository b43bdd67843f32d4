import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CatalogProduct } from '../model.ts';
import { projectFile } from '../project-files.ts';

export const DEFAULT_CATALOG_PATH = projectFile('fixtures/catalog.json');

const productSchema = z
  .object({
    family: z.string().min(1),
    displayName: z.string().min(1),
    mode: z.enum(['portal', 'product-portal', 'key-in-email', 'email-activation']),
    instructionsUrl: z.url(),
    features: z.array(z.string().min(1)).min(1),
    portalName: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters').optional(),
    // Customers are sent there to type in their codes: never over plain HTTP.
    portalUrl: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.mode === 'product-portal' && !p.portalUrl) {
      ctx.addIssue({ code: 'custom', path: ['portalUrl'], message: 'is required when mode is product-portal' });
    }
  });

const catalogSchema = z.object({
  products: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), productSchema),
});

export type Catalog = ReadonlyMap<string, CatalogProduct>;

/** The catalog, or an error with one line per problem, each naming the field (`products.atp-cloud.portalUrl: …`). */
export function parseCatalog(json: unknown): Catalog {
  const result = catalogSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid product catalog:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return new Map(Object.entries(result.data.products).map(([key, p]) => [key, { key, ...p }]));
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
  return (
    `ACTIVATION_ADDRESS is not set: customers of ${products.join(', ')} (email-activation) ` +
    'are told to write to support'
  );
}
