import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/license/base32.ts';
import {
  KeyDeviceMismatchError,
  KeyFormatError,
  KeySignatureError,
  SigningKeyError,
} from '../../src/license/errors.ts';
import { decodeKey, issueKey, verifyKey, type KeyFields } from '../../src/license/key.ts';
import { keyFileContent, keyFileName } from '../../src/license/key-file.ts';
import { generateSigningKeyPair, loadPublicKey, loadSigningKey } from '../../src/license/signing-keys.ts';
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
      licenseId: key.licenseId,
      ssrn: 'SSRN2C9D4E6F8G',
      sku: 'S-NS-CTRL-100-1',
      product: 'northstar-controller',
      device: 'JN11D2E7CAFB',
      features: ['NS-CTRL-NODES'],
      startDate: '2026-12-31',
      endDate: '2027-12-31',
      issuedOn: '2026-11-28',
    });
  });

  it('is deterministic: the same entitlement, device and date give the same key', () => {
    expect(issueKey(entitlement, 'JN11D2E7CAFB', ['NS-CTRL-NODES'], '2026-11-28', signer.privateKey)).toEqual(key);
    expect(issueKey(entitlement, 'JN125ED29AFL', ['NS-CTRL-NODES'], '2026-11-28', signer.privateKey).key).not.toBe(
      key.key,
    );
  });

  it('survives being pasted from an email: case, spaces, line breaks, quote markers', () => {
    const mangled = [
      key.key.toLowerCase(),
      key.key.replace(/\n/g, '\r\n'),
      key.key.replace(/\s+/g, ''),
      key.key
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n'),
      `-----BEGIN LICENSE-----\n${key.key.replace(/ /g, '  ')}\n-----END LICENSE-----`,
      key.key.replace(/ /g, '-'),
      `> > ${key.key.replace(/\n/g, '\r\n> > ')}`,
      `"${key.key}"`,
      `\u00a0${key.key.replace(/ /g, '\u00a0')}\n\n`,
    ];
    for (const text of mangled) expect(verifyKey(text, signer.publicKey, 'JN11D2E7CAFB').licenseId).toBe(key.licenseId);
  });

  it('binds to the device: a UUID compares case-insensitively, another device fails', () => {
    const uuid = issueKey(entitlement, '7F3C2A9E-1B4D-4C8E-9A61-2D5F8E0B7C13', [], '2026-11-28', signer.privateKey);
    expect(verifyKey(uuid.key, signer.publicKey, '7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13').device).toBe(
      '7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13',
    );
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
      expect(() => verifyKey(altered.join(''), signer.publicKey)).toThrow(
        /signature|damaged|not a license key|version|license ID/,
      );
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

describe('the attached key file', () => {
  it('is named for license and device, with safe characters only, and verifies as it is', () => {
    expect(keyFileName(key)).toBe(`${key.licenseId}-JN11D2E7CAFB.lic`);
    expect(keyFileName({ ...key, device: '../../etc/passwd' })).toMatch(/^[A-Za-z0-9._-]+$/);
    const content = keyFileContent(key, entitlement);
    expect(content.split('\n')[0]).toBe(`# License key ${key.licenseId} for device JN11D2E7CAFB`);
    expect(content).toContain('SSRN SSRN2C9D4E6F8G, valid 2026-12-31 to 2027-12-31, issued 2026-11-28');
    expect(verifyKey(content, signer.publicKey, 'JN11D2E7CAFB').licenseId).toBe(key.licenseId);
  });
});

describe('signing key files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-signing-'));

  it('generates a pair that signs and verifies, and refuses to overwrite it', async () => {
    const { privatePath, publicPath } = await generateSigningKeyPair(join(dir, 'new'));
    const k = issueKey(entitlement, 'JN11D2E7CAFB', [], '2026-11-28', loadSigningKey(privatePath));
    expect(verifyKey(k.key, loadPublicKey(publicPath)).device).toBe('JN11D2E7CAFB');
    expect(verifyKey(k.key, loadPublicKey(undefined, privatePath)).device).toBe('JN11D2E7CAFB');
    await expect(generateSigningKeyPair(join(dir, 'new'))).rejects.toThrow(/already exists/);
  });

  it('names the variable and the path when a key file is missing, not PEM, or not Ed25519', () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    expect(() => loadSigningKey(join(dir, 'missing.pem'))).toThrow(
      new SigningKeyError(`LICENSE_SIGNING_KEY: cannot read ${join(dir, 'missing.pem')}: ENOENT`),
    );
    expect(() => loadSigningKey(garbage)).toThrow(`LICENSE_SIGNING_KEY: ${garbage} is not a private key in PEM form`);
    expect(() => loadSigningKey(rsa)).toThrow(
      `LICENSE_SIGNING_KEY: ${rsa} is a rsa key; license keys are signed with Ed25519`,
    );
    expect(() => loadPublicKey(garbage)).toThrow(`LICENSE_PUBLIC_KEY: ${garbage} is not a public key in PEM form`);
    expect(() => loadPublicKey()).toThrow(/LICENSE_PUBLIC_KEY \(or LICENSE_SIGNING_KEY\)/);
  });
});

describe('properties', () => {
  it('base32 round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  const device = fc.oneof(fc.stringMatching(/^[A-Z0-9]{12}$/), fc.uuid());
  const field = fc.stringMatching(/^[A-Z0-9-]{1,30}$/);

  it('any text fields, Unicode included, round-trip exactly', () => {
    fc.assert(
      fc.property(
        device,
        fc.string(),
        fc.string(),
        fc.array(fc.string(), { maxLength: 4 }),
        (dev, product, sku, features) => {
          const k = issueKey({ ...entitlement, product, sku }, dev, features, '2026-11-28', signer.privateKey);
          expect(verifyKey(k.key, signer.publicKey, dev)).toMatchObject({ product, sku, features });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any entitlement and device round-trip through issue and verify', () => {
    fc.assert(
      fc.property(
        device,
        field,
        field,
        fc.array(field, { maxLength: 4 }),
        fc.boolean(),
        (dev, ssrn, sku, features, perpetual) => {
          const e: Entitlement = { ...entitlement, ssrn, sku, ...(perpetual ? { endDate: undefined } : {}) };
          if (perpetual) delete (e as Partial<Entitlement>).endDate;
          const k = issueKey(e, dev, features, '2026-11-28', signer.privateKey);
          const f = verifyKey(k.key, signer.publicKey, dev);
          expect(f).toMatchObject({ ssrn, sku, features, device: k.device });
          expect(f.endDate).toBe(perpetual ? undefined : entitlement.endDate);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any single changed character, anywhere in the text, never verifies as a different key', () => {
    const original = verifyKey(key.key, signer.publicKey);
    fc.assert(
      fc.property(
        fc.nat(key.key.length - 1),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
        (pos, ch) => {
          const altered = key.key.slice(0, pos) + ch + key.key.slice(pos + 1);
          let fields: KeyFields | undefined;
          try {
            fields = verifyKey(altered, signer.publicKey);
          } catch (error) {
            expect([KeyFormatError, KeySignatureError].some((E) => error instanceof E)).toBe(true);
          }
          // Only harmless changes (a space, a dash, another letter case) still verify, and then as the same key.
          if (fields) expect(fields).toEqual(original);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a single changed payload character never verifies', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const payloadStart = key.key.indexOf('\n') + 1;
    const positions = [...key.key]
      .map((c, i) => (i >= payloadStart && alphabet.includes(c) ? i : -1))
      .filter((i) => i >= 0);
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.constantFrom(...alphabet), (pos, ch) => {
        fc.pre(key.key[pos] !== ch);
        const altered = key.key.slice(0, pos) + ch + key.key.slice(pos + 1);
        expect(() => verifyKey(altered, signer.publicKey)).toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
