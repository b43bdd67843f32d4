import QRCode from 'qrcode';
import type { FulfillmentDocument } from '../model.ts';

// Upper-case letters, digits, space, ':' and '-' only (unless an order number has lower-case letters, which then go
// in byte mode): QR's alphanumeric mode, which holds about 4,000 characters.
// Even so a very large order has more SSRNs than a code can carry; then it carries as many as fit and how many more
// the printed table lists, so a scan still identifies the certificate.

function payload(certificateNumber: string, ssrns: string[], omitted: number): string {
  return [`CERT:${certificateNumber}`, ...ssrns.map((s) => `SSRN:${s}`), ...(omitted ? [`MORE:${omitted}`] : [])].join(' ');
}

type Symbol = ReturnType<typeof QRCode.create>;

/** The characters of QR's alphanumeric mode. */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * Digits in a row that a numeric segment of their own could carry in fewer bits than the alphanumeric segment around
 * them. A digit costs 5.5 bits in alphanumeric mode and 3.33 in numeric; a segment's header costs at least 14 bits
 * (numeric) and going back to alphanumeric at least 13 more. So at least 7 digits at either end, or 13 within.
 */
const DIGITS_WORTH_A_SEGMENT = /^\d{7}|\d{7}$|\d{13}/;

/**
 * The text as qrcode would split it into segments. For an alphanumeric text without such runs of digits that is one
 * alphanumeric segment, given directly: qrcode finds it by searching a graph of every possible split, which took 250 of
 * the 340 µs it spent building a certificate's code and left 170 KB of garbage. Any other text goes to that search.
 */
function segments(text: string): string | Array<{ data: string; mode: 'alphanumeric' }> {
  return ALPHANUMERIC.test(text) && !DIGITS_WORTH_A_SEGMENT.test(text) ? [{ data: text, mode: 'alphanumeric' }] : text;
}

/** The symbol at that error correction level, or undefined where the text is more than a code holds. */
function create(text: string, errorCorrectionLevel: 'M' | 'L'): Symbol | undefined {
  try {
    return QRCode.create(segments(text), { errorCorrectionLevel });
  } catch {
    return undefined;
  }
}

/** What the QR code carries: the certificate number and the SSRNs on it (as many as a code holds). */
export function certificateQrPayload(doc: FulfillmentDocument): string {
  const fits = (text: string) => create(text, 'L') !== undefined;
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

/** A QR code: what it carries, and its modules, `size` rows of `size`, row by row, 1 for dark. */
export interface Qr {
  payload: string;
  size: number;
  modules: Uint8Array;
}

/** The certificate's QR code: what it carries (as certificateQrPayload), with the modules qrcode gives that text. */
export function certificateQr(doc: FulfillmentDocument): Qr {
  // M (15% recovery) when the text allows, for codes printed and scanned from paper; L for the largest orders.
  // Most orders fit at M with every SSRN, and L holds more than M: then the payload is the whole list, with no fit test.
  const all = payload(doc.fulfillment.certificateNumber, doc.lines.map((l) => l.entitlement.ssrn), 0);
  const whole = create(all, 'M');
  if (whole) return { payload: all, size: whole.modules.size, modules: whole.modules.data };
  const trimmed = certificateQrPayload(doc);
  const qr = (create(trimmed, 'M') ?? create(trimmed, 'L'))!;
  return { payload: trimmed, size: qr.modules.size, modules: qr.modules.data };
}
