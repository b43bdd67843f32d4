import type { Transform, TransformCallback } from 'node:stream';

// nodemailer's SMTPConnection sends a message's DATA through its DataStream, which makes every line end CRLF and
// doubles a dot that starts a line (RFC 5321 4.5.2). It does so one byte at a time in JavaScript: 4% of a worker's
// CPU at full load (profiled), for messages that are 55 KB of base64 and HTML whose lines already end in CRLF. The
// same rules apply here only where they can: at line ends, found by Buffer.indexOf, and at the start of the data.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

/**
 * One chunk of the message as DataStream writes it. `prev` is the byte before the chunk, false at the start of the
 * data. Bytes go in only before the first byte, after a CR, and at or after an LF, so those are the only places looked
 * at; the rules and their order are DataStream's own.
 */
export function stuffChunk(chunk: Uint8Array, prev: number | false): Uint8Array {
  const parts: Uint8Array[] = [];
  let copied = 0;
  let checked = -1;
  const check = (i: number) => {
    if (i <= checked || i >= chunk.length) return;
    checked = i;
    const byte = chunk[i]!;
    const before = i ? chunk[i - 1]! : prev;
    let insert: Uint8Array | undefined;
    if (before === CR && byte !== LF) insert = byte === DOT ? INSERT_LF_DOT : INSERT_LF; // a bare CR
    else if (byte === LF && before !== CR) insert = INSERT_CR; // a bare LF
    else if (byte === DOT && (before === LF || before === false)) insert = INSERT_DOT;
    if (!insert) return;
    if (i > copied) parts.push(chunk.subarray(copied, i));
    parts.push(insert);
    copied = i;
  };
  check(0);
  let cr = chunk.indexOf(CR);
  let lf = chunk.indexOf(LF);
  while (cr >= 0 || lf >= 0) {
    if (lf < 0 || (cr >= 0 && cr < lf)) {
      check(cr + 1);
      cr = chunk.indexOf(CR, cr + 1);
    } else {
      check(lf);
      check(lf + 1);
      lf = chunk.indexOf(LF, lf + 1);
    }
  }
  if (!parts.length) return chunk;
  parts.push(chunk.subarray(copied));
  return Buffer.concat(parts);
}

/** DataStream's state, which SMTPConnection reads for its log line and the sent message's size. */
interface DataStream extends Transform {
  lastByte: number | false;
  inByteCount: number;
  outByteCount: number;
}

/** Makes a DataStream, before anything is written to it, do its work with `stuffChunk`. */
export function stuffWithIndexOf(stream: Transform): void {
  const data = stream as DataStream;
  data._transform = (chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!bytes.length) return done();
    const out = stuffChunk(bytes, data.lastByte);
    data.inByteCount += bytes.length;
    data.outByteCount += out.length;
    data.lastByte = bytes[bytes.length - 1]!;
    data.push(out);
    done();
  };
}
