import QRCode from 'qrcode';
import type { FulfillmentDocument } from '../model.ts';

// Upper-case letters, digits, space, ':' and '-' only: QR's alphanumeric mode, which holds about 4,000 characters.
// Even so a very large order has more SSRNs than a code can carry; then it carries as many as fit and how many more
// the printed table lists, so a scan still identifies the certificate.

function payload(certificateNumber: string, ssrns: string[], omitted: number): string {
  return [`CERT:${certificateNumber}`, ...ssrns.map((s) => `SSRN:${s}`), ...(omitted ? [`MORE:${omitted}`] : [])].join(' ');
}

function fits(text: string): boolean {
  try {
    QRCode.create(text, { errorCorrectionLevel: 'L' });
    return true;
  } catch {
    return false;
  }
}

/** What the QR code carries: the certificate number and the SSRNs on it (as many as a code holds). */
export function certificateQrPayload(doc: FulfillmentDocument): string {
  const ssrns = doc.lines.map((l) => l.entitlement.ssrn);
  const all = payload(doc.fulfillment.certificateNumber, ssrns, 0);
  if (fits(all)) return all;
  let lo = 0;
  let hi = ssrns.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(payload(doc.fulfillment.certificateNumber, ssrns.slice(0, mid), ssrns.length - mid))) lo = mid;
    else hi = mid - 1;
  }
  return payload(doc.fulfillment.certificateNumber, ssrns.slice(0, lo), ssrns.length - lo);
}

/** The QR code's dark modules as a square matrix: drawn as vector squares, crisp in print and deterministic. */
export function qrMatrix(text: string): boolean[][] {
  // M (15% recovery) when the text allows, for codes printed and scanned from paper; L for the largest orders.
  let qr: ReturnType<typeof QRCode.create>;
  try {
    qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  } catch {
    qr = QRCode.create(text, { errorCorrectionLevel: 'L' });
  }
  const size = qr.modules.size;
  return Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => qr.modules.get(y, x) === 1));
}
