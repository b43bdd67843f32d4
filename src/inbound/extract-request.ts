import { convert } from 'html-to-text';

export interface ActivationRequest {
  codes: string[];
  devices: string[];
}

/** Hostile mail can be huge; what a person writes for an activation fits easily in this. */
export const MAX_TEXT = 64 * 1024;

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
// Hyphen-grouped, mixed case, like hTq4Xe-P9dLm-Zw2RbK: three to five groups of four to eight letters or digits.
const CODE = /(?<![A-Za-z0-9-])[A-Za-z0-9]{4,8}(?:-[A-Za-z0-9]{4,8}){2,4}(?![A-Za-z0-9-])/g;
const CODE_LABEL = /(?:activation\s*code|aktivierungs-?code|activation\s*key|code|コード|アクティベーションコード)\s*(?:[:：#=]|\bis\b)?\s*([A-Za-z0-9-]{8,40})/gi;
const DEVICE_LABEL = /(?:serial\s*(?:number|no\.?|#)?s?|s\/n|\bsn\b|serien-?nummer[n]?|seriennr\.?|シリアル(?:番号)?|uuid|device(?:\s*id)?s?|gerät(?:e)?|デバイス)\s*[:：#=]?\s*([^\n]*)/gi;
// Unlabelled serial numbers: twelve uppercase letters and digits, both present (JN11D2E7CAFB, CV1234AB5678).
const BARE_SERIAL = /(?<![A-Za-z0-9-])(?=[A-Z0-9]{12}(?![A-Za-z0-9-]))(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{12}/g;
const DEVICE_TOKEN = /^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{4,64}$/;

/** Text of an HTML body. Pathological nesting can exhaust html-to-text's recursion; then plain tag stripping does. */
function htmlText(html: string): string {
  try {
    return convert(html, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] });
  } catch {
    return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
  }
}

/** The part of a message its author wrote: quoted replies, forwarded originals and signatures cut away. */
export function ownText(text: string): string {
  const lines: string[] = [];
  for (const line of text.slice(0, MAX_TEXT).split(/\r?\n/)) {
    if (/^-- ?$/.test(line) || /^-{2,}\s*(original message|ursprüngliche nachricht|forwarded message)/i.test(line)) break;
    if (/^(on|am|le)\b.{0,200}(wrote|schrieb|a écrit)\s*:\s*$/i.test(line)) break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  return lines.join('\n');
}

function normalizeDevice(d: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(d) ? d.toLowerCase() : d.toUpperCase();
}

/**
 * Finds the Activation Code(s) and device serial numbers or UUIDs in a request, labelled or not, in the subject or
 * the body (plain text, else HTML). Labelled values win over pattern guesses.
 */
export function extractActivationRequest(input: { subject?: string; text?: string; html?: string }): ActivationRequest {
  const body = input.text?.trim() ? input.text : input.html ? htmlText(input.html.slice(0, MAX_TEXT * 4)) : '';
  const text = `${(input.subject ?? '').slice(0, 1000)}\n${ownText(body)}`;

  const uuids = [...text.matchAll(UUID)].map((m) => m[0]);
  const withoutUuids = text.replace(UUID, ' ');

  const labelledCodes = [...withoutUuids.matchAll(CODE_LABEL)].map((m) => m[1]!).filter((c) => c.match(CODE)?.[0] === c);
  const codes = labelledCodes.length ? labelledCodes : [...withoutUuids.matchAll(CODE)].map((m) => m[0]);

  const labelled = [...withoutUuids.matchAll(DEVICE_LABEL)].flatMap((m) =>
    m[1]!.split(/[\s,;/]+/).map((t) => t.replace(/^[("']+|[)"'.]+$/g, '')).filter((t) => DEVICE_TOKEN.test(t) && !codes.includes(t) && !/^SSRN/i.test(t)));
  const bare = [...withoutUuids.matchAll(BARE_SERIAL)].map((m) => m[0]).filter((t) => !/^SSRN/.test(t));
  const devices = [...uuids, ...(labelled.length ? labelled : bare)].map(normalizeDevice);

  return { codes: [...new Set(codes)], devices: [...new Set(devices)] };
}
