import QRCode from 'qrcode';

/** A QR code: what it carries, and its modules, `size` rows of `size`, row by row, 1 for dark. */
export interface Qr {
  payload: string;
  size: number;
  modules: Uint8Array;
}

/**
 * The certificate's QR code, carrying its verification address at level M (15% recovery, for codes printed and scanned
 * from paper). The address goes in as one byte segment: qrcode would otherwise search every way of splitting it into
 * segments, most of the cost of a code, for a symbol no smaller.
 */
export function certificateQr(url: string): Qr {
  const qr = QRCode.create([{ data: Buffer.from(url), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  return { payload: url, size: qr.modules.size, modules: qr.modules.data };
}
