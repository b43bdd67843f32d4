import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsubscribeToken, verifyUnsubscribeToken } from '../../src/notices/unsubscribe-token.ts';

const key = randomBytes(32);

describe('unsubscribe tokens', () => {
  it('name the address, in lower case, and nothing else', () => {
    const token = unsubscribeToken(key, 'Ana.Lopez@Example.COM');
    expect(verifyUnsubscribeToken(key, token)).toBe('ana.lopez@example.com');
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString()).toBe('ana.lopez@example.com');
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('are refused when signed with another key, for another address, altered or malformed', () => {
    const token = unsubscribeToken(key, 'ana@example.com');
    const [address, mac] = token.split('.') as [string, string];
    expect(verifyUnsubscribeToken(randomBytes(32), token)).toBeUndefined();
    expect(
      verifyUnsubscribeToken(key, `${Buffer.from('bo@example.com').toString('base64url')}.${mac}`),
    ).toBeUndefined();
    expect(
      verifyUnsubscribeToken(key, `${address}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`),
    ).toBeUndefined();
    expect(verifyUnsubscribeToken(key, `${address}.${mac}=`)).toBeUndefined();
    expect(verifyUnsubscribeToken(key, `${address}${mac}`)).toBeUndefined();
    expect(verifyUnsubscribeToken(key, '')).toBeUndefined();
    expect(verifyUnsubscribeToken(key, `${'A'.repeat(5000)}.${mac}`)).toBeUndefined();
    // Upper case in the address part: another spelling of the bytes, never issued.
    expect(
      verifyUnsubscribeToken(key, `${Buffer.from('Ana@example.com').toString('base64url')}.${mac}`),
    ).toBeUndefined();
  });

  it('round-trip for any address; any other string is refused', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        expect(verifyUnsubscribeToken(key, unsubscribeToken(key, email))).toBe(email.toLowerCase());
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(verifyUnsubscribeToken(key, s)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
