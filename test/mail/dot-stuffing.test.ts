import { PassThrough, type Transform } from 'node:stream';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream.js';
import { describe, expect, it } from 'vitest';
import { stuffChunk, stuffWithIndexOf } from '../../src/mail/dot-stuffing.ts';
import { seededRandom } from '../support/seeded-random.ts';

interface Counted extends Transform {
  inByteCount: number;
  outByteCount: number;
}

/** What a DataStream sends for these chunks, and its byte counts. */
async function sent(stream: Transform, chunks: Buffer[]) {
  const out: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => out.push(c));
  stream.pipe(sink);
  const ended = new Promise((resolve) => sink.on('end', resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  await ended;
  const { inByteCount, outByteCount } = stream as Counted;
  return { bytes: Buffer.concat(out).toString('latin1'), inByteCount, outByteCount };
}

const fast = () => {
  const stream = new DataStream();
  stuffWithIndexOf(stream);
  return stream;
};

/** Text made mostly of what the rules are about: CR, LF and dots, among ordinary characters. */
function hostileText(random: () => number, length: number): Buffer {
  const alphabet = ['\r', '\n', '.', '\r\n', '\r\n.', 'a', 'b', ' '];
  let s = '';
  while (s.length < length) s += alphabet[Math.floor(random() * alphabet.length)];
  return Buffer.from(s, 'latin1');
}

/** The text cut into pieces at random points, so that CR, LF and dot fall at chunk edges too. */
function cut(random: () => number, text: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(random() * 12);
    chunks.push(text.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('dot-stuffing by line', () => {
  it('leaves data without bare CR, bare LF or leading dots as the very same buffer', () => {
    const clean = Buffer.from('Subject: x\r\n\r\nbody\r\nline. with. dots\r\n');
    expect(stuffChunk(clean, false)).toBe(clean);
  });

  it('applies the rules where they bite', () => {
    const stuff = (s: string, prev: number | false = false) => Buffer.from(stuffChunk(Buffer.from(s, 'latin1'), prev)).toString('latin1');
    expect(stuff('.start')).toBe('..start');
    expect(stuff('a\r\n.b\r\n..c')).toBe('a\r\n..b\r\n...c');
    expect(stuff('bare\nlf')).toBe('bare\r\nlf');
    expect(stuff('bare\rcr')).toBe('bare\r\ncr');
    // A dot after a bare CR is stuffed, or a server that ends lines at CR would read "\r.\r" as the end (SMTP smuggling).
    expect(stuff('x\r.\r\ny')).toBe('x\r\n..\r\ny');
    expect(stuff('.x', 0x0a)).toBe('..x');
    expect(stuff('\nx', 0x0d)).toBe('\nx');
    expect(stuff('x', 0x0d)).toBe('\nx');
  });

  it('sends what nodemailer\'s DataStream sends, byte for byte and with the same counts, for 2,000 hostile inputs cut at random', async () => {
    const random = seededRandom(5321);
    for (let n = 0; n < 2000; n++) {
      const chunks = cut(random, hostileText(random, 1 + Math.floor(random() * 200)));
      expect(await sent(fast(), chunks), `input ${n}`).toEqual(await sent(new DataStream(), chunks));
    }
  });

  it('sends a real message as DataStream does: base64 lines, a 7bit HTML part, a line that starts with a dot', async () => {
    const base64 = Buffer.alloc(30_000, 0xab).toString('base64').replace(/.{76}/g, '$&\r\n');
    const message = Buffer.from(`From: a@example.com\r\n\r\n<p>one</p>\r\n.hidden\r\n${base64}\r\n`);
    const chunks = [message.subarray(0, 1000), message.subarray(1000)];
    expect(await sent(fast(), chunks)).toEqual(await sent(new DataStream(), chunks));
  });
});
