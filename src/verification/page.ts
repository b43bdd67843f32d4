import type { Verification } from './view.ts';

// The verification page for a browser: one small HTML document, every style inline, readable at 320 px.

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CELL = 'padding:6px 8px;border-bottom:1px solid #bcccdc;text-align:left;vertical-align:top;';
const MONO = 'font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;';
const HEADINGS = ['Product', 'Qty', 'Term', 'SSRN'];
const META =
  '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  '<meta name="robots" content="noindex">';

const term = (l: Verification['lines'][number]) =>
  l.licenseType === 'perpetual' ? 'Perpetual' : `Subscription, ${l.termMonths} months`;

export function verificationPage(v: Verification, brand: string): string {
  const number = escape(v.certificateNumber);
  const verdict = v.genuine
    ? `<p style="color:#0a6c3b;font-weight:bold;">Genuine: certificate <span style="${MONO}">${number}</span> ` +
      `was issued by ${escape(brand)} on ${escape(v.issueDate ?? '')}.</p>`
    : `<p style="color:#a61b1b;font-weight:bold;">Not genuine: ${escape(brand)} has issued no certificate ` +
      `<span style="${MONO}">${number}</span>.</p>`;
  const rows = v.lines
    .map(
      (l) => `<tr>
<td style="${CELL}">${escape(l.product)}<br><span style="${MONO}">${escape(l.sku)}</span></td>
<td style="${CELL}">${l.quantity}</td>
<td style="${CELL}">${term(l)}<br>${escape(l.startDate)} – ${escape(l.endDate ?? 'no end date')}</td>
<td style="${CELL}${MONO}">${escape(l.ssrn)}</td>
</tr>`,
    )
    .join('\n');
  const table = v.lines.length
    ? `<table style="border-collapse:collapse;width:100%;font-size:14px;">
<thead><tr>${HEADINGS.map((h) => `<th style="${CELL}">${h}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>${META}
<title>Certificate ${number}</title></head>
<body style="margin:0;padding:16px;font-family:system-ui,sans-serif;color:#1f2933;max-width:760px;">
<h1 style="font-size:20px;color:#0b3c6f;">Software Entitlement Certificate</h1>
${verdict}
${table}
</body>
</html>
`;
}
