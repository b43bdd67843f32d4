import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { todayIn } from '../entitlement/dates.ts';
import { InvalidInputError } from '../errors.ts';
import { accountSchema, emailAddress, zodIssues } from '../event/schema.ts';
import {
  BadCursorError,
  ENTITLEMENT_STATUSES,
  type EntitlementFound,
  type EntitlementSearch,
  type Page,
} from '../store/entitlement-search.ts';

const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be the `next` of a previous page')
    .optional(),
};

const accountIdSchema = z.object({ id: accountSchema.shape.id });

export const accountEntitlementsQuerySchema = z.strictObject({
  status: z.enum(ENTITLEMENT_STATUSES).optional(),
  product: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'must be a product key of the catalog')
    .optional(),
  ...paging,
});

export const entitlementLookupQuerySchema = z
  .strictObject({
    ssrn: z
      .string()
      .regex(/^[A-Z0-9-]{6,32}$/, 'must be an SSRN')
      .optional(),
    activationCode: z
      .string()
      .regex(/^[A-Za-z0-9-]{8,40}$/, 'must be an Activation Code')
      .optional(),
    email: emailAddress.optional(),
    ...paging,
  })
  .refine((q) => [q.ssrn, q.activationCode, q.email].filter(Boolean).length === 1, {
    message: 'give exactly one of ssrn, activationCode, email',
    path: ['ssrn'],
  });

export interface EntitlementQueryDeps {
  entitlementSearch: EntitlementSearch;
  clock: Clock;
  timeZone: string;
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError('invalid query', zodIssues(result.error));
  return result.data;
}

async function paged(run: () => Promise<Page<EntitlementFound>>): Promise<Page<EntitlementFound>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof BadCursorError)
      throw new InvalidInputError('invalid query', [
        { path: 'cursor', message: 'must be the `next` of a previous page' },
      ]);
    throw error;
  }
}

/** Every entitlement visible to an account: all lines of the orders it is on, filtered by status and product. */
export function accountEntitlements(
  deps: EntitlementQueryDeps,
  accountId: string,
  query: unknown,
): Promise<Page<EntitlementFound>> {
  const { id } = parse(accountIdSchema, { id: accountId });
  const q = parse(accountEntitlementsQuerySchema, query);
  const today = todayIn(deps.timeZone, deps.clock.now());
  return paged(() =>
    deps.entitlementSearch.byAccount(
      id,
      { today, ...(q.status && { status: q.status }), ...(q.product && { product: q.product }) },
      { limit: q.limit, ...(q.cursor && { cursor: q.cursor }) },
    ),
  );
}

/** Entitlements by SSRN, Activation Code or a contact's address (every line of that contact's orders). */
export function findEntitlements(deps: EntitlementQueryDeps, query: unknown): Promise<Page<EntitlementFound>> {
  const q = parse(entitlementLookupQuerySchema, query);
  const lookup = q.ssrn
    ? { ssrn: q.ssrn }
    : q.activationCode
      ? { activationCode: q.activationCode }
      : { email: q.email! };
  const today = todayIn(deps.timeZone, deps.clock.now());
  return paged(() =>
    deps.entitlementSearch.find(lookup, today, { limit: q.limit, ...(q.cursor && { cursor: q.cursor }) }),
  );
}
