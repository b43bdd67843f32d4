import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config.ts';

export interface Caller {
  name: string;
  role: Role;
}

/** What each role may do. Admin is a superset of support; intake tokens belong to the business system only. */
const GRANTS: Record<Role, ReadonlySet<Role>> = {
  intake: new Set(['intake']),
  support: new Set(['support']),
  admin: new Set(['support', 'admin']),
};

export function roleAllows(has: Role, needs: Role): boolean {
  return GRANTS[has].has(needs);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Finds the caller of a bearer token. Every configured token is compared, each in constant time over equal-length
 * digests, so neither the answer nor its timing tells how much of a guess was right.
 */
export function authenticate(
  tokens: ReadonlyMap<string, Caller> | undefined,
  header: string | undefined,
): Caller | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!tokens || !match) return undefined;
  const presented = digest(match[1]!);
  let found: Caller | undefined;
  for (const [token, caller] of tokens) if (timingSafeEqual(digest(token), presented)) found = caller;
  return found;
}
