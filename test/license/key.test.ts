import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/license/base32.ts';
import { KeyDeviceMismatchError, KeyFormatError, KeySignatureError } from '../../src/license/errors.ts';
import { decodeKey, issueKey, verifyKey } from '../../src/license/key.ts';
import type { Entitlement } from '../../src/model.ts';
import { exampleDocuments } from '../support/documents.ts';

const signer = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const entitlement: Entitlement = exampleDocuments('order-heritage-de')[0]!.lines[0]!.entitlement;
const key = issueKey(entitlement, 'jn11d2e7cafb', ['NS-CTRL-NODES'], '2026-11-28', signer.privateKey);

describe('signed license keys', () => {
  it('looks like a vendor key: license ID line, then base32 groups over several lines', () => {
    const [id, ...lines] = key.key.split('\n');
    expect(id).toMatch(/^LC[A-Z2-7]{10}$/);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^[A-Z2-7]{1,5}( [A-Z2-7]{1,5}){0,5}$/);
    expect(key.device).toBe('JN11D2E7CAFB');
  });

  it('verifies and decodes every bound field', () => {
    expect(verifyKey(key.key, signer.publicKey, 'JN11D2E7CAFB')).toEqual({
      licenseId: key.licenseId, ssrn: 'SSRN2C9D4E6F8G', sku: 'S-NS-CTRL-100-1', product: 'northstar-controller', device: 'JN11D2E7CAFB',
      features: ['NS-CTRL-NODES'], startDate: '2026-12-31', endDate: '2027-12-31', issuedOn: '2026-11-28',
    });
  });

  it('is deterministic: the same entitlement, device and date give the same key', () => {
    expect(issueKey(entitlement, 'JN11D2E7CAFB', ['NS-CTRL-NODES'], '2026-11-28', signer.privateKey)).toEqual(key);
    expect(issueKey(entitlement, 'JN125ED29AFL', ['NS-CTRL-NODES'], '2026-11-28', signer.privateKey).key).not.toBe(key.key);
  });

  it('survives being pasted from an email: case, spaces, line breaks, quote markers', () => {
    const mangled = [
      key.key.toLowerCase(),
      key.key.replace(/\n/g, '\r\n'),
      key.key.replace(/\s+/g, ''),
      key.key.split('\n').map((l) => `> ${l}`).join('\n'),
      `-----BEGIN LICENSE-----\n${key.key.replace(/ /g, '  ')}\n-----END LICENSE-----`,
      key.key.replace(/ /g, '-'),
    ];
    for (const text of mangled) expect(verifyKey(text, signer.publicKey, 'JN11D2E7CAFB').licenseId).toBe(key.licenseId);
  });

  it('binds to the device: a UUID compares case-insensitively, another device fails', () => {
    const uuid = issueKey(entitlement, '7F3C2A9E-1B4D-4C8E-9A61-2D5F8E0B7C13', [], '2026-11-28', signer.privateKey);
    expect(verifyKey(uuid.key, signer.publicKey, '7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13').device).toBe('7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13');
    expect(() => verifyKey(key.key, signer.publicKey, 'JN125ED29AFL')).toThrow(KeyDeviceMismatchError);
  });

  it('fails for another signer, and for any altered character', () => {
    expect(() => verifyKey(key.key, other.publicKey)).toThrow(KeySignatureError);
    const chars = [...key.key];
    const firstPayload = key.key.indexOf('\n') + 1;
    for (let i = firstPayload; i < chars.length; i += 7) {
      if (!/[A-Z2-7]/.test(chars[i]!)) continue;
      const altered = [...chars];
      altered[i] = chars[i] === 'A' ? 'B' : 'A';
      expect(() => verifyKey(altered.join(''), signer.publicKey)).toThrow(/signature|damaged|not a license key|version|license ID/);
    }
  });

  it('says what is wrong with text that is no key', () => {
    expect(() => decodeKey('hello')).toThrow(KeyFormatError);
    expect(() => decodeKey(`LC${'A'.repeat(200)}1`)).toThrow(KeyFormatError);
    expect(() => decodeKey(key.key.slice(0, key.key.length - 20))).toThrow();
    const swappedId = `LCAAAAAAAAAA${key.key.slice(12)}`;
    expect(() => verifyKey(swappedId, signer.publicKey)).toThrow(KeySignatureError);
  });
});

describe('properties', () => {
  it('base32 round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes))).toEqual(Buffer.from(bytes));
    }));
  });

  const device = fc.oneof(fc.stringMatching(/^[A-Z0-9]{12}$/), fc.uuid());
  const field = fc.stringMatching(/^[A-Z0-9-]{1,30}$/);

  it('any entitlement and device round-trip through issue and verify', () => {
    fc.assert(fc.property(device, field, field, fc.array(field, { maxLength: 4 }), fc.boolean(), (dev, ssrn, sku, features, perpetual) => {
      const e: Entitlement = { ...entitlement, ssrn, sku, ...(perpetual ? { endDate: undefined } : {}) };
      if (perpetual) delete (e as Partial<Entitlement>).endDate;
      const k = issueKey(e, dev, features, '2026-11-28', signer.privateKey);
      const f = verifyKey(k.key, signer.publicKey, dev);
      expect(f).toMatchObject({ ssrn, sku, features, device: k.device });
      expect(f.endDate).toBe(perpetual ? undefined : entitlement.endDate);
    }), { numRuns: 200 });
  });

  it('a single changed payload character never verifies', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const payloadStart = key.key.indexOf('\n') + 1;
    const positions = [...key.key].map((c, i) => (i >= payloadStart && alphabet.includes(c) ? i : -1)).filter((i) => i >= 0);
    fc.assert(fc.property(fc.constantFrom(...positions), fc.constantFrom(...alphabet), (pos, ch) => {
      fc.pre(key.key[pos] !== ch);
      const altered = key.key.slice(0, pos) + ch + key.key.slice(pos + 1);
      expect(() => verifyKey(altered, signer.publicKey)).toThrow();
    }), { numRuns: 300 });
  });
});
