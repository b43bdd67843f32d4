import { readFileSync } from 'node:fs';

export type RawEvent = {
  eventId: string;
  salesOrder: { number: string; contacts: Array<{ email: string; name?: string }>; [k: string]: unknown };
  lines: Array<Record<string, unknown> & { shipDate: string; ssrn: string; activationCode: string; lineNumber: string }>;
};

/** A contract example as raw JSON, to send as is or to vary. */
export function rawExample(name: string): RawEvent {
  return JSON.parse(readFileSync(new URL(`../../fixtures/orders/${name}.json`, import.meta.url), 'utf8')) as RawEvent;
}

/** A valid portal-product event with n recipients and one line; ids and codes derive from `tag`, so tests never clash. */
export function makeEvent(tag: string, recipients: number, shipDate = '2026-11-28'): RawEvent {
  const code = tag.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, 'X').slice(0, 12);
  return {
    eventId: `evt-${tag}`,
    salesOrder: {
      number: `9${code.slice(0, 7).replace(/[^0-9]/g, '0')}`.padEnd(8, '0'),
      accounts: [{ id: '0100012345', role: 'customer', name: 'Acme Networks Ltd' }],
      endCustomer: { name: 'Acme Networks Ltd', country: 'GB' },
      contacts: Array.from({ length: recipients }, (_, i) => ({ email: `user${i}@${tag.toLowerCase()}.example`, name: `User ${i}` })),
    },
    lines: [{
      lineNumber: '1', sku: 'S-EX-A-C1-3', product: 'ex', licenseName: 'EX Series Advanced, Class 1, 3 years',
      description: 'Advanced feature license for one EX Series switch', quantity: 1, licenseType: 'subscription', termMonths: 36,
      purchase: 'initial', activationCode: `Ac-${code}`, ssrn: `SSRN${code}`, shipDate,
    }],
  };
}
