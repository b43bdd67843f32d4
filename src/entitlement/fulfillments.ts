import { createHash } from 'node:crypto';
import type { Entitlement, Fulfillment } from '../model.ts';

function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
}

/**
 * The lines of one event that ship on the same date go out together: one fulfillment each.
 * Ids derive from (eventId, shipDate) only, so planning the same event twice yields the same ids and a repeated
 * fan-out can never create a second set of jobs.
 */
export function planFulfillments(entitlements: Entitlement[]): Fulfillment[] {
  const byDate = new Map<string, Entitlement[]>();
  for (const e of entitlements) byDate.set(e.shipDate, [...(byDate.get(e.shipDate) ?? []), e]);
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([shipDate, lines]) => {
      const first = lines[0]!;
      const hash = shortHash(first.eventId, shipDate);
      return {
        id: `f-${first.orderNumber}-${shipDate.replaceAll('-', '')}-${hash.slice(0, 6)}`,
        eventId: first.eventId,
        orderNumber: first.orderNumber,
        shipDate,
        certificateNumber: `SEC-${first.orderNumber}-${shipDate.replaceAll('-', '')}-${hash.slice(0, 6).toUpperCase()}`,
        ssrns: lines.map((l) => l.ssrn),
      };
    });
}
