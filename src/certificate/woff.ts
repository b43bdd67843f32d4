import { inflateSync } from 'node:zlib';

// fontkit reads a WOFF font's tables by inflating them (in JavaScript) on every access, and its subsetter reaches the
// glyph table once per glyph: a certificate's codes would cost their font tens of milliseconds. So a WOFF file (Noto
// Sans Mono comes as WOFF only) is turned into the plain TrueType file it wraps, once, when it is read.

const WOFF = 0x774f4646; // "wOFF"

/** The font file as TrueType/OpenType (sfnt) bytes: a WOFF file unwrapped, any other as it is. */
export function sfnt(file: Buffer): Buffer {
  if (file.length < 44 || file.readUInt32BE(0) !== WOFF) return file;
  const tables = file.readUInt16BE(12);
  const entries = Array.from({ length: tables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = file.readUInt32BE(at + 4);
    const compressed = file.readUInt32BE(at + 8);
    const length = file.readUInt32BE(at + 12);
    const raw = file.subarray(offset, offset + compressed);
    return {
      tag: file.readUInt32BE(at),
      checksum: file.readUInt32BE(at + 16),
      data: compressed < length ? inflateSync(raw) : raw,
    };
  });
  const padded = (n: number) => (n + 3) & ~3;
  const head = 12 + 16 * tables;
  const out = Buffer.alloc(head + entries.reduce((n, e) => n + padded(e.data.length), 0));
  const power = 2 ** Math.floor(Math.log2(tables));
  out.writeUInt32BE(file.readUInt32BE(4), 0); // the flavor: 0x00010000 for TrueType outlines
  out.writeUInt16BE(tables, 4);
  out.writeUInt16BE(power * 16, 6);
  out.writeUInt16BE(Math.log2(power), 8);
  out.writeUInt16BE(tables * 16 - power * 16, 10);
  let offset = head;
  entries.forEach((e, i) => {
    const at = 12 + i * 16;
    out.writeUInt32BE(e.tag, at);
    out.writeUInt32BE(e.checksum, at + 4);
    out.writeUInt32BE(offset, at + 8);
    out.writeUInt32BE(e.data.length, at + 12);
    e.data.copy(out, offset);
    offset += padded(e.data.length);
  });
  return out;
}
