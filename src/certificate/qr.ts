import QRCode from 'qrcode';
import type { FulfillmentDocument } from '../model.ts';

/** What the QR code carries: the certificate number and every SSRN on it, one per line. */
export function certificateQrPayload(doc: FulfillmentDocument): string {
  return [`CERT:${doc.fulfillment.certificateNumber}`, ...doc.lines.map((l) => `SSRN:${l.entitlement.ssrn}`)].join('\n');
}

/** The QR code's dark modules as a square matrix: drawn as vector squares, crisp in print and deterministic. */
export function qrMatrix(payload: string): boolean[][] {
  const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  return Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => qr.modules.get(y, x) === 1));
}
