import freeEmailDomains from 'free-email-domains';

const PUBLIC = new Set(freeEmailDomains.map((d) => d.toLowerCase()));

/**
 * Domains where anyone can have an address (gmail.com, web.de, …: the free-email-domains list, plus
 * RESEND_SHARED_DOMAINS): sharing one with an order's contact says nothing about belonging to the customer.
 */
export function isSharedDomain(domain: string, extra: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return PUBLIC.has(d) || extra.includes(d);
}
