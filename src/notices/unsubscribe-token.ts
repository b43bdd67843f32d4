import { createHmac, timingSafeEqual } from 'node:crypto';

// The token of an unsubscribe link names one address and nothing else (no order, no notice), signed so that nobody
// can opt out an address they only know: `<address, base64url>.<HMAC-SHA256 of it, first 16 bytes, base64url>`.

const MAC_BYTES = 16;
/** Addresses are at most 254 characters (RFC 5321); base64url makes 4 of every 3; then the dot and the signature. */
export const MAX_TOKEN_LENGTH = Math.ceil((254 * 4) / 3) + 1 + Math.ceil((MAC_BYTES * 4) / 3);

function mac(key: Buffer, address: string): Buffer {
  return createHmac('sha256', key).update(`unsubscribe\u0000${address}`).digest().subarray(0, MAC_BYTES);
}

export function unsubscribeToken(key: Buffer, email: string): string {
  const address = email.toLowerCase();
  return `${Buffer.from(address, 'utf8').toString('base64url')}.${mac(key, address).toString('base64url')}`;
}

/** The address a token names, or undefined when it is malformed or not signed with `key`. */
export function verifyUnsubscribeToken(key: Buffer, token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const [encoded, signature] = token.split('.') as [string, string];
  const address = Buffer.from(encoded, 'base64url').toString('utf8');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, address);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  // The signature covers the decoded address; a second spelling of the same bytes must not pass as the canonical one.
  return unsubscribeToken(key, address) === token ? address : undefined;
}
