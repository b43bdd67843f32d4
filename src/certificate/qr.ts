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

/**
 * The symbol at that error correction level with mask pattern 0, or undefined where the text is more than a code
 * holds. A fixed mask skips qrcode's search for the best one, most of the cost of a code; the search is done below.
 */
function create(text: string, errorCorrectionLevel: 'M' | 'L'): Symbol | undefined {
  try {
    return QRCode.create(segments(text), { errorCorrectionLevel, maskPattern: 0 });
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

// qrcode (1.5) picks the mask by applying each of the eight to its matrix and scoring it with the penalty rules of
// ISO/IEC 18004 (N1 to N4), through a method call per module. The same rules over a plain array pick the same mask
// (the lowest penalty, the lower pattern on a tie) and give the same modules, as the tests check against qrcode.

const MASKS: Array<(i: number, j: number) => boolean> = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

/** The 15 format bits (error correction level and mask, BCH-protected), as qrcode's FormatInfo.getEncodedBits. */
function formatBits(level: number, mask: number): number {
  const G15 = 0b10100110111;
  const data = (level << 3) | mask;
  let rest = data << 10;
  for (let shift = 4; shift >= 0; shift--) if (rest & (1 << (shift + 10))) rest ^= G15 << shift;
  return ((data << 10) | rest) ^ 0b101010000010010;
}

/** Where qrcode writes format bit i: once down column 8 and once along row 8, as [row, column] pairs. */
function formatCells(size: number, i: number): [number, number, number, number] {
  const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
  const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i;
  return [row, 8, 8, col];
}

/**
 * N1 and N3 points of one row or column: 3 for a run of five modules of one colour and one more for each further
 * module; 40 for each finder-like 1:1:3:1:1 pattern with four light modules on one side.
 */
function linePoints(m: Uint8Array, size: number, start: number, step: number): number {
  let points = 0;
  let run = 0;
  let last = -1;
  let window = 0;
  for (let b = 0, k = start; b < size; b++, k += step) {
    const module = m[k]!;
    if (module === last) run++;
    else {
      if (run >= 5) points += run - 2;
      last = module;
      run = 1;
    }
    window = ((window << 1) & 0x7ff) | module;
    if (b >= 10 && (window === 0x5d0 || window === 0x05d)) points += 40;
  }
  return run >= 5 ? points + run - 2 : points;
}

function penalty(m: Uint8Array, size: number): number {
  let points = 0;
  for (let a = 0; a < size; a++) points += linePoints(m, size, a * size, 1) + linePoints(m, size, a, size);
  // N2: 3 for each 2×2 block of one colour.
  for (let r = 0; r < size - 1; r++) {
    for (let c = 0; c < size - 1; c++) {
      const k = r * size + c;
      const sum = m[k]! + m[k + 1]! + m[k + size]! + m[k + size + 1]!;
      if (sum === 4 || sum === 0) points += 3;
    }
  }
  // N4: 10 for each 5% the share of dark modules is away from half.
  let dark = 0;
  for (let k = 0; k < m.length; k++) dark += m[k]!;
  return points + Math.abs(Math.ceil((dark * 100) / m.length / 5) - 10) * 10;
}

/**
 * Each mask as the modules it turns over, by symbol size (one per QR version, so at most 40): where the version puts
 * finder, timing and alignment patterns and format and version information, no mask applies.
 */
const masksBySize = new Map<number, Uint8Array[]>();

function masksFor(size: number, reservedBit: Uint8Array): Uint8Array[] {
  let masks = masksBySize.get(size);
  if (!masks) {
    masks = MASKS.map((mask) => {
      const bits = new Uint8Array(size * size);
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) if (!reservedBit[r * size + c] && mask(r, c)) bits[r * size + c] = 1;
      return bits;
    });
    masksBySize.set(size, masks);
  }
  return masks;
}

/** The modules qrcode would give the symbol with the best mask, from the symbol built with mask 0. */
function bestMasked(qr: Symbol): Uint8Array {
  const { size, data, reservedBit } = qr.modules;
  const masks = masksFor(size, reservedBit);
  const unmasked = new Uint8Array(data.length);
  for (let k = 0; k < data.length; k++) unmasked[k] = data[k]! ^ masks[0]![k]!;
  let best: Uint8Array | undefined;
  let lowest = Infinity;
  masks.forEach((bits, pattern) => {
    const m = new Uint8Array(unmasked.length);
    for (let k = 0; k < m.length; k++) m[k] = unmasked[k]! ^ bits[k]!;
    const format = formatBits(qr.errorCorrectionLevel.bit, pattern);
    for (let i = 0; i < 15; i++) {
      const [r1, c1, r2, c2] = formatCells(size, i);
      m[r1 * size + c1] = m[r2 * size + c2] = (format >> i) & 1;
    }
    const points = penalty(m, size);
    if (points < lowest) {
      lowest = points;
      best = m;
    }
  });
  return best!;
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
  if (whole) return { payload: all, size: whole.modules.size, modules: bestMasked(whole) };
  const trimmed = certificateQrPayload(doc);
  const qr = (create(trimmed, 'M') ?? create(trimmed, 'L'))!;
  return { payload: trimmed, size: qr.modules.size, modules: bestMasked(qr) };
}
