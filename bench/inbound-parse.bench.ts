import { extractActivationRequest, scanRequestText } from '../src/inbound/extract-request.ts';
import { stripTags } from '../src/inbound/html-text.ts';
import { ownText } from '../src/inbound/own-text.ts';
import { parseInboundMail, requestParts } from '../src/inbound/parse-mail.ts';

// `npx tsx bench/inbound-parse.bench.ts`: for every pattern that reads inbound mail, 1 MB built to be its worst case
// (a label or prefix, then a long run of what the pattern repeats, then a character that makes it fail), timed
// through the pattern alone (uncapped) and through the whole path a message takes (parse, cap, extract).
// Target: under 50 ms each. Times are CPU time of this process (user + system), which a machine shared with other
// work inflates less than wall-clock time.
const MB = 1024 * 1024;
const fill = (unit: string, prefix = '', suffix = '!') =>
  `${prefix}${unit.repeat(Math.ceil((MB - prefix.length - suffix.length) / unit.length))}${suffix}`.slice(0, MB);

export const WORST_CASES: Record<string, string> = {
  'code label, spaces': fill(' ', 'code'),
  'code label, newlines': fill('\n', 'code'),
  'code label, tabs and colons': fill(' :', 'activation code'),
  'code label, repeated': fill('code '),
  'code, hyphen groups': fill('Ab1d-'),
  'code, alphanumeric run': fill('a'),
  'uuid, hex run': fill('0123456789abcdef-'),
  'device label, spaces': fill(' ', 'serial'),
  'device label, fillers': fill(' is :', 'serial number'),
  'device label, repeated': fill('sn '),
  'device list, separators': fill('JN11D2E7CAF1 , ', 'serial: '),
  'device list, next lines': fill('\n', 'serial:\n'),
  'other id, spaces': fill(' ', 'order number'),
  'ssrn labels': fill('ssrn '),
  'bare serial, uppercase run': fill('A'),
  'bare serial, digits and letters': fill('A1'),
  'own text, quote markers': fill('> '),
  'own text, attribution': fill('On wrote ', '', ':x'),
  'own text, forward marker': fill('-', '', 'x'),
  'own text, outlook rule': fill('_', ' '),
  'html, pre with spaces': fill(' ', '<pre>code', '!</pre>'),
  'html, unclosed tags': fill('<a '),
  'html, unclosed scripts': fill('<script>'),
  'html, deep nesting': fill('<div>'),
};

const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return Math.round((user + system) / 100) / 10;
};
const time = (f: () => unknown) => {
  const start = process.cpuUsage();
  f();
  return cpuMs(start);
};

function mailOf(body: string): Buffer {
  const html = body.startsWith('<');
  return Buffer.from(
    `From: a@example.net\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/${html ? 'html' : 'plain'}; charset=utf-8\r\n\r\n${body}`,
  );
}

export async function runInboundParseBench(): Promise<Array<{ pattern: string; scanMs: number; mailMs: number }>> {
  const rows = [];
  for (const [pattern, body] of Object.entries(WORST_CASES)) {
    const isHtml = body.startsWith('<');
    const scanMs = time(() => (isHtml ? scanRequestText(stripTags(body)) : scanRequestText(ownText(body))));
    const start = process.cpuUsage();
    const mail = await parseInboundMail(mailOf(body));
    extractActivationRequest(requestParts(mail));
    rows.push({ pattern, scanMs, mailMs: cpuMs(start) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runInboundParseBench(); // warm-up: the first round also measures compilation
  const rows = await runInboundParseBench();
  // scanMs: the request patterns over the whole 1 MB, uncapped; mailMs: the path a message takes (parse, caps,
  // extract).
  console.table(rows);
  console.log(
    `slowest message: ${Math.max(...rows.map((r) => r.mailMs))} ms CPU (target < 50 ms); slowest uncapped 1 MB scan: ${Math.max(...rows.map((r) => r.scanMs))} ms CPU`,
  );
}
