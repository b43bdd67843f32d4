import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type RawEvent = {
  eventId: string;
  salesOrder: { number: string; contacts: Array<{ email: string; name?: string }>; [k: string]: unknown };
  lines: Array<
    Record<string, unknown> & { shipDate: string; ssrn: string; activationCode: string; lineNumber: string }
  >;
};

/** A contract example as raw JSON, to send as is or to vary. */
export function rawExample(name: string): RawEvent {
  return JSON.parse(readFileSync(new URL(`../../fixtures/orders/${name}.json`, import.meta.url), 'utf8')) as RawEvent;
}

/**
 * A valid portal-product event with n recipients and one line; ids and codes derive from `tag`, so tests never clash.
 */
export function makeEvent(tag: string, recipients: number, shipDate = '2026-11-28'): RawEvent {
  const digest = createHash('sha256').update(tag).digest();
  const code = digest.toString('hex').toUpperCase().slice(0, 10);
  return {
    eventId: `evt-${tag}`,
    salesOrder: {
      number: String(10_000_000 + (digest.readUInt32BE(0) % 90_000_000)),
      accounts: [{ id: '0100012345', role: 'customer', name: 'Acme Networks Ltd' }],
      endCustomer: { name: 'Acme Networks Ltd', country: 'GB' },
      contacts: Array.from({ length: recipients }, (_, i) => ({
        email: `user${i}@${tag.toLowerCase()}.example`,
        name: `User ${i}`,
      })),
    },
    lines: [
      {
        lineNumber: '1',
        sku: 'S-EX-A-C1-3',
        product: 'ex',
        licenseName: 'EX Series Advanced, Class 1, 3 years',
        description: 'Advanced feature license for one EX Series switch',
        quantity: 1,
        licenseType: 'subscription',
        termMonths: 36,
        purchase: 'initial',
        activationCode: `Ac${code.slice(0, 4)}-${code.slice(4, 8)}-Xy${code.slice(8)}`,
        ssrn: `SSRN${code}`,
        shipDate,
      },
    ],
  };
}
