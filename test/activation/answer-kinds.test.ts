import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activationReply, type ActivationAnswer } from '../../src/activation/reply.ts';
import { keyAttachments } from '../../src/license/key-attachments.ts';
import { issueKey } from '../../src/license/key.ts';
import type { Brand, Entitlement } from '../../src/model.ts';

const brand: Brand = {
  name: 'License Courier',
  portalUrl: 'https://licensing.example.net',
  supportEmail: 'support@example.net',
  paperSize: 'A4',
  publicUrl: 'http://127.0.0.1:8080',
};
const entitlement = {
  orderNumber: '1',
  eventId: 'e',
  lineNumber: '1',
  sku: 'S-NS',
  product: 'northstar-controller',
  licenseName: 'Northstar Controller',
  description: 'd',
  quantity: 2,
  licenseType: 'perpetual',
  purchase: 'initial',
  activationCode: 'Mk3pWz-7HqRt-Bn4VxC',
  ssrn: 'SSRN2C9D4E6F8G',
  shipDate: '2026-11-28',
  startDate: '2026-11-28',
  graceDays: 0,
  devices: [],
} as Entitlement;
const key = issueKey(entitlement, 'JN11D2E7CAFB', ['base'], '2026-11-28', generateKeyPairSync('ed25519').privateKey);

const KINDS: ActivationAnswer[] = [
  { kind: 'keys', keys: [{ key, existing: false }], refused: [], quantity: 2 },
  { kind: 'keys', keys: [{ key, existing: true }], refused: ['JN99AB12CD34'], quantity: 2 },
  { kind: 'quantity-used-up', refused: ['JN99AB12CD34'], quantity: 2 },
  { kind: 'not-yet-shipped', licenseName: 'Northstar Controller', shipDate: '2099-03-01' },
  { kind: 'unknown-or-not-allowed' },
  { kind: 'no-code' },
  { kind: 'no-device', code: 'Mk3pWz-7HqRt-Bn4VxC' },
  { kind: 'several-codes' },
  { kind: 'not-by-email', licenseName: 'Northstar Controller', instructionsUrl: 'https://example.net/how' },
];
/** The words with which each locale says something is attached. */
const ATTACHED: Record<string, RegExp> = {
  en: /attached/i,
  de: /angehängt|Lizenzschlüssel/,
  ja: /添付|ライセンスキーをお送り/,
};

describe('every answer kind says only what it carries', () => {
  for (const locale of ['en', 'de', 'ja']) {
    it.each(KINDS.map((a, i) => [`${a.kind} #${i}`, a] as const))(`${locale}: %s`, (_name, answer) => {
      const { text } = activationReply(answer, 'Aktivierung', locale, brand);
      // As the activation worker attaches them: a file per key of a `keys` answer, nothing otherwise.
      const attachments =
        answer.kind === 'keys'
          ? keyAttachments(
              entitlement,
              answer.keys.map((k) => k.key),
            )
          : [];
      expect(ATTACHED[locale]!.test(text)).toBe(attachments.length > 0);
      expect(text.includes(key.key)).toBe(attachments.length > 0);
      for (const a of attachments)
        expect(text).toContain(a.filename.includes('JN11D2E7CAFB') ? 'JN11D2E7CAFB' : a.filename);
      if (answer.kind === 'keys' || answer.kind === 'quantity-used-up')
        for (const d of answer.refused) expect(text).toContain(d);
      if (answer.kind === 'not-yet-shipped') expect(text).toContain('2099');
    });
  }
});
