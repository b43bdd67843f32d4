import { normalizeDevice } from '../license/device.ts';
import { htmlText } from './html-text.ts';
import { ownText } from './own-text.ts';

export interface ActivationRequest {
  codes: string[];
  devices: string[];
}

/** Hostile mail can be huge; what a person writes for an activation fits easily in this much of each body. */
export const MAX_INPUT = 32 * 1024;
export const MAX_SUBJECT = 1000;
// A person lists a few devices under one or two labels; these bound the work on text built to repeat labels.
const MAX_DEVICE_LABELS = 50;
const MAX_DEVICES_PER_LABEL = 100;

const UUID = /(?<![A-Za-z0-9-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9-])/gi;
// Hyphen-grouped like hTq4Xe-P9dLm-Zw2RbK: three to five groups of four to eight letters or digits, 8 to 40 in all.
const CODE = /(?<![A-Za-z0-9-])[A-Za-z0-9]{4,8}(?:-[A-Za-z0-9]{4,8}){2,4}(?![A-Za-z0-9-])/g;
const WHOLE_CODE = new RegExp(`^${CODE.source}$`);
const CODE_LABEL = new RegExp(
  String.raw`(?:activation[\s-]*(?:code|key)|aktivierungs-?(?:code|schlüssel)|\bcode|アクティベーション\s*コード|コード)` +
    String.raw`\s*(?:(?:[:：#=]|\bis\b|\bist\b|\blautet\b|は)\s*)?([A-Za-z0-9-]{8,40})(?![A-Za-z0-9-])`,
  'giu',
);
const DEVICE_LABEL = new RegExp(
  String.raw`(?:serial[\s-]*(?:numbers?|nos?\.?|#)?|\bs\/n|\bsn\b|serien-?nummer(?:n)?|seriennr\.?|` +
    String.raw`シリアル\s*(?:番号|ナンバー)?|製造番号|\buuids?\b|\bdevices?(?:[\s-]*ids?)?\b|\bgerät(?:e|en|e-?id)?\b|デバイス|機器)`,
  'giu',
);
// Values of other identifiers, which can look like serial numbers: an SSRN has 12 to 14 uppercase letters and digits.
const OTHER_ID = new RegExp(
  String.raw`(?:\bssrn|\bsku|\bpo\b|\border(?:\s*number)?|\bauftrag(?:snummer)?|\baccount(?:\s*id)?|注文番号)` +
    String.raw`\s*(?:[:：#]\s*)?[A-Za-z0-9-]+`,
  'giu',
);
const SSRN = /^SSRN/i;
// Unlabelled serial numbers: twelve uppercase letters and digits, both present (JN11D2E7CAFB, CV1234AB5678).
const BARE_SERIAL = /(?<![A-Za-z0-9-])(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{12}(?![A-Za-z0-9-])/g;

// After a device label: filler ("is", ":"), then a list of tokens separated by commas, "and", slashes or spaces.
const AFTER_LABEL = /(?:\s*(?:[:：#=]|-(?=\s)|\bis\b|\bare\b|\bist\b|\bsind\b|\blautet\b|\blauten\b|は|：))*[ \t]*/uy;
const TOKEN = /[("'「]?([A-Za-z0-9][A-Za-z0-9-]{2,62}[A-Za-z0-9])(?![A-Za-z0-9-])[)"'」]?\.?/y;
const SEPARATOR = /[ \t]*(?:[,;/、，・&]|\band\b|\bund\b|\bor\b|と|および)\s*|[ \t]+/uy;
const LIST_ON_NEXT_LINES = /[ \t]*\r?\n\s*/y;
// In a list below the label, one value a line; a blank line ends the list.
const NEWLINE_SEPARATOR = /[ \t]*\r?\n[ \t]*|[ \t]+/y;

/** After a label: a serial's usual shape, or any token with a digit (not a word of the sentence). */
function isDeviceToken(t: string): boolean {
  return (
    (/\d/.test(t) || /^[A-Z0-9]{12}$/.test(t)) &&
    !/^\d{4}-\d{2}-\d{2}$/.test(t) &&
    !SSRN.test(t) &&
    !(isCode(t) && looksRandom(t))
  );
}

function isCode(t: string): boolean {
  return t.length <= 40 && WHOLE_CODE.test(t);
}

/**
 * Codes are mixed case and look random: an unlabelled hyphen-grouped word counts only then, not "Long-Term-Support",
 * a phone number 0049-6221-1234-5678 or a grouped serial JN11-D2E7-CAFB.
 */
function looksRandom(t: string): boolean {
  return /[a-z]/.test(t) && (/\d/.test(t) || /[a-z][A-Z]/.test(t));
}

function stickyMatch(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

/** The device tokens right after one label: on the same line, or, when the line ends at the label, the lines below. */
function devicesAfterLabel(text: string, labelEnd: number): string[] {
  let at = labelEnd + stickyMatch(AFTER_LABEL, text, labelEnd)![0].length; // always matches, possibly empty
  const list = stickyMatch(LIST_ON_NEXT_LINES, text, at);
  if (list) at += list[0].length;
  const separator = list ? NEWLINE_SEPARATOR : SEPARATOR;
  const found: string[] = [];
  while (found.length < MAX_DEVICES_PER_LABEL) {
    const token = stickyMatch(TOKEN, text, at);
    if (!token || !isDeviceToken(token[1]!)) return found;
    found.push(token[1]!);
    at += token[0].length;
    const sep = stickyMatch(separator, text, at) ?? stickyMatch(SEPARATOR, text, at);
    if (!sep) return found;
    at += sep[0].length;
  }
  return found;
}

/**
 * Finds the Activation Code(s) and device serial numbers or UUIDs in a request, labelled or not, in the subject or
 * the body (plain text, else the HTML's text). Labelled values win over pattern guesses.
 */
export function extractActivationRequest(input: { subject?: string; text?: string; html?: string }): ActivationRequest {
  const body = input.text?.trim()
    ? input.text.slice(0, MAX_INPUT)
    : input.html
      ? htmlText(input.html.slice(0, MAX_INPUT))
      : '';
  return scanRequestText(`${(input.subject ?? '').slice(0, MAX_SUBJECT)}\n${ownText(body)}`);
}

/**
 * The codes and devices of the text of a request, uncapped: linear in the text's length (bench/inbound-parse.bench.ts).
 */
export function scanRequestText(text: string): ActivationRequest {
  const uuids = [...text.matchAll(UUID)].map((m) => m[0]);
  const rest = text.replace(UUID, ' ');

  const labelledCodes = [...rest.matchAll(CODE_LABEL)].map((m) => m[1]!).filter(isCode);
  const codes = labelledCodes.length
    ? labelledCodes
    : [...rest.matchAll(CODE)].map((m) => m[0]).filter((c) => c.length <= 40 && looksRandom(c));

  const labelled: string[] = [];
  let labels = 0;
  for (const m of rest.matchAll(DEVICE_LABEL)) {
    if (++labels > MAX_DEVICE_LABELS) break;
    labelled.push(...devicesAfterLabel(rest, m.index + m[0].length));
  }
  const bare = () =>
    [...rest.replace(OTHER_ID, ' ').matchAll(BARE_SERIAL)].map((m) => m[0]).filter((t) => !SSRN.test(t));
  const devices = [...uuids, ...(labelled.length ? labelled : bare())].map(normalizeDevice);

  return { codes: [...new Set(codes)], devices: [...new Set(devices)] };
}
