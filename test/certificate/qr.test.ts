import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { certificateQr, certificateQrPayload } from '../../src/certificate/qr.ts';
import type { FulfillmentDocument } from '../../src/model.ts';
import { exampleDocuments } from '../support/documents.ts';
import { seededRandom as random } from '../support/seeded-random.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The example order with `lines` lines of made-up SSRNs. */
function order(lines: number, next: () => number): FulfillmentDocument {
  const doc = structuredClone(exampleDocuments('order-ex-srx')[0]!);
  const word = (n: number) => Array.from({ length: n }, () => ALPHANUMERIC[Math.floor(next() * ALPHANUMERIC.length)]).join('');
  doc.fulfillment.certificateNumber = `SEC-${word(8)}-${word(6)}`;
  doc.lines = Array.from({ length: lines }, () => {
    const line = structuredClone(doc.lines[0]!);
    line.entitlement.ssrn = `SSRN${word(10)}`;
    return line;
  });
  return doc;
}

/** What qrcode itself draws for the payload: level M where it fits, else L, with the mask it finds best. */
function reference(text: string) {
  try {
    return QRCode.create(text, { errorCorrectionLevel: 'M' });
  } catch {
    return QRCode.create(text, { errorCorrectionLevel: 'L' });
  }
}

describe('the certificate QR code', () => {
  it('has the modules qrcode gives its payload, at every size, level and mask', () => {
    const next = random(7);
    const masks = new Set<number>();
    const versions = new Set<number>();
    const levels = new Set<number>();
    for (let n = 0; n < 60; n++) {
      // Mostly small orders, some past what level M holds (about 170 lines) and past what any code holds (about 215).
      const lines = n < 40 ? 1 + Math.floor(next() * 30) : 150 + Math.floor(next() * 100);
      const doc = order(lines, next);
      const { payload, size, modules } = certificateQr(doc);
      expect(payload).toBe(certificateQrPayload(doc));
      const qr = reference(payload);
      masks.add(qr.maskPattern!);
      versions.add(qr.version);
      levels.add(qr.errorCorrectionLevel.bit);
      expect(size).toBe(qr.modules.size);
      expect(modules).toEqual(qr.modules.data);
    }
    expect(masks.size).toBe(8);
    expect(levels.size).toBe(2);
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(7); // version information blocks
  });

  // qrcode gives a long enough run of digits a numeric segment of its own; the code must come out the same either way.
  it('has the modules qrcode gives payloads with runs of digits and lower-case letters', () => {
    const digits = (n: number) => Array.from({ length: n }, (_, i) => String((i * 7 + 3) % 10)).join('');
    const cases = Array.from({ length: 24 }, (_, k) => k + 1).flatMap((n) => [
      { certificateNumber: `SEC-${digits(n)}-20261128-00DEPT`, ssrn: 'SSRNS00079L0' },
      { certificateNumber: 'SEC-20000079-20261128-00DEPT', ssrn: `${digits(Math.max(6, n))}` },
      { certificateNumber: 'SEC-20000079-20261128-00DEPT', ssrn: `SSRN-${digits(n)}` },
    ]);
    cases.push({ certificateNumber: 'SEC-po-20000079-20261128-00DEPT', ssrn: 'SSRNS00079L0' });
    const numericSegments = cases.filter(({ certificateNumber, ssrn }) => {
      const doc = order(1, random(1));
      doc.fulfillment.certificateNumber = certificateNumber;
      doc.lines[0]!.entitlement.ssrn = ssrn;
      const { payload, modules } = certificateQr(doc);
      const qr = reference(payload);
      expect(modules, payload).toEqual(qr.modules.data);
      return qr.segments.some((s) => s.mode.id === 'Numeric');
    });
    // Both kinds were tried: texts qrcode splits and texts it keeps whole.
    expect(numericSegments.length).toBeGreaterThan(0);
    expect(numericSegments.length).toBeLessThan(cases.length);
  });

  // Payloads where masks tie for the lowest penalty (0, 2 and 3; 4 and 7), found by scoring with qrcode's own rules.
  it.each([
    ['SEC-20000079-20261128-00DEPT', 'SSRNS00079L0', 0],
    ['SEC-20000222-20261128-00G8W2', 'SSRNS00222L0', 4],
  ])('%s: on a tie takes the lower mask, as qrcode does', (certificateNumber, ssrn, mask) => {
    const doc = order(1, random(1));
    doc.fulfillment.certificateNumber = certificateNumber;
    doc.lines[0]!.entitlement.ssrn = ssrn;
    const { payload, modules } = certificateQr(doc);
    const qr = reference(payload);
    expect(qr.maskPattern).toBe(mask);
    expect(modules).toEqual(qr.modules.data);
  });
});
