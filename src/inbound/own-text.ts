// The part of a message its author wrote for this request. Quoted replies and forwarded originals carry old codes and
// other people's serial numbers; signatures carry phone numbers and asset tags. None of them is part of the request.

const SIGNATURE = /^-- ?$/;
const FORWARD_MARKER = new RegExp(
  String.raw`^\s*-{2,}\s*(original message|ursprüngliche nachricht|forwarded message|weitergeleitete nachricht|` +
    '元のメッセージ|転送されたメッセージ)',
  'i',
);
const OUTLOOK_RULE = /^\s*_{10,}\s*$/;
const OUTLOOK_FROM = /^\s*\**(from|von|差出人)\s*:\**\s*\S/i;
const OUTLOOK_DATE = /^\s*\**(sent|date|gesendet|datum|送信日時|日時)\s*:/i;
// "On Mon, 28 Nov 2026 at 10:00, Jane <jane@x> wrote:", often wrapped over two lines; German, French; Gmail in
// Japanese.
const ATTRIBUTION = /^\s*(on|am|le)\s.{0,300}(wrote|schrieb|a écrit)\s*:\s*$/i;
const ATTRIBUTION_JA = /^\s*\d{4}年\d{1,2}月\d{1,2}日.{0,300}[:：]\s*$/;
const QUOTED = /^\s*[>＞]/;

function endsOwnText(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (!line.trim()) return false;
  const withNext = `${line} ${lines[i + 1] ?? ''}`;
  return (
    SIGNATURE.test(line) ||
    FORWARD_MARKER.test(line) ||
    OUTLOOK_RULE.test(line) ||
    ATTRIBUTION.test(line) ||
    ATTRIBUTION_JA.test(line) ||
    (/^\s*(on|am|le)\s/i.test(line) && ATTRIBUTION.test(withNext)) ||
    (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_DATE.test(l)))
  );
}

/** A request is written at the top; lines below this many are never the author's request (bounds the work). */
export const MAX_LINES = 2000;

export function ownText(text: string): string {
  const lines = text.split(/\r\n|\r|\n/, MAX_LINES);
  const own: string[] = [];
  for (let i = 0; i < lines.length && !endsOwnText(lines, i); i++) {
    if (!QUOTED.test(lines[i]!)) own.push(lines[i]!);
  }
  return own.join('\n');
}
