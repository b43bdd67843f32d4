// Just enough MIME to read a delivery status notification: header blocks, Content-Type parameters, multipart bodies and
// the two transfer encodings a report part may use. mailparser is not used here because it drops message/delivery-status
// parts and merges text/rfc822-headers into the body text.

export type Headers = Map<string, string[]>;

export interface MimePart {
  headers: Headers;
  body: Buffer;
}

/** Header fields of a block ("Name: value" lines, folded lines joined); names lower-cased, repeated names kept in order. */
export function parseHeaderBlock(text: string): Headers {
  const headers: Headers = new Map();
  for (const line of text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

export const header = (headers: Headers, name: string): string | undefined => headers.get(name)?.[0];

/** Splits a message or part at the first empty line. */
export function splitPart(raw: Buffer): MimePart {
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  const end = match ? match.index : text.length;
  const bodyStart = match ? match.index + match[0].length : text.length;
  return { headers: parseHeaderBlock(text.slice(0, end)), body: raw.subarray(bodyStart) };
}

/** "multipart/report; report-type=delivery-status; boundary="x"" → type and lower-cased parameter names. */
export function contentType(headers: Headers): { type: string; params: Record<string, string> } {
  const value = header(headers, 'content-type') ?? 'text/plain';
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const m of rest.join(';').matchAll(/(?<![\w.-])([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The body parts of a multipart body, without preamble and epilogue. */
export function multipartParts(body: Buffer, boundary: string): MimePart[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: MimePart[] = [];
  let start = -1;
  for (let at = 0; at < text.length;) {
    const lineEnd = text.indexOf('\n', at);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    const line = text.slice(at, next).replace(/\r?\n$/, '').trimEnd();
    if (line === delimiter || line === `${delimiter}--`) {
      // The line break before a delimiter belongs to the delimiter, not to the part.
      if (start >= 0) parts.push(splitPart(body.subarray(start, Math.max(start, at - (text[at - 2] === '\r' ? 2 : 1)))));
      if (line.endsWith('--')) return parts;
      start = next;
    }
    at = next;
  }
  // A message cut short (the mailbox watcher caps its size) still yields the parts before the cut.
  if (start >= 0 && start < text.length) parts.push(splitPart(body.subarray(start)));
  return parts;
}

/** The body with its Content-Transfer-Encoding undone. */
export function decodedBody(part: MimePart): Buffer {
  const encoding = (header(part.headers, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const text = part.body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }
  return part.body;
}
