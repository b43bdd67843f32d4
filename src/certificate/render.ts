import PDFDocument from 'pdfkit';
import { formatDate } from '../locale/format-date.ts';
import { loadLocaleStrings, type LocaleStrings } from '../locale/strings.ts';
import type { FulfillmentDocument } from '../model.ts';
import { forLeftToRightDrawing } from './bidi.ts';
import { font, fontRuns, type Face, type Weight } from './fonts.ts';
import { lineCount } from './line-count.ts';
import { verificationUrl } from '../verification/url.ts';
import { entitlementsJson } from './entitlements-json.ts';
import { certificateQr } from './qr.ts';
import { artifact, element, tagged } from './tags.ts';
import { projectFile } from '../project-files.ts';

const STRINGS = loadLocaleStrings(projectFile('templates/certificate/'));

const MARGIN = 48;
const INK = '#1f2933';
const MUTED = '#52606d';
const ACCENT = '#0b3c6f';
const RULE = '#bcccdc';

type Doc = InstanceType<typeof PDFDocument>;

/** A number as pdfkit writes it into content streams (PDFObject.number): rounded to six decimals. */
const pdfNumber = (n: number) => Math.round(n * 1e6) / 1e6;

/** A paragraph inside a table cell or the details block. */
interface Para {
  text: string;
  weight?: Weight;
  size?: number;
  color?: string;
  /** Codes and SSRNs: in Noto Sans Mono. */
  mono?: boolean;
}

const registered = new WeakMap<Doc, Set<string>>();

/** Selects the face in the document, registering it the first time: pdfkit embeds only the fonts a document uses. */
function useFont(doc: Doc, face: Face, weight: Weight): string {
  const name = `${face}-${weight}`;
  let names = registered.get(doc);
  if (!names) registered.set(doc, (names = new Set()));
  if (!names.has(name)) {
    doc.registerFont(name, font(face, weight) as never);
    names.add(name);
  }
  doc.font(name);
  return name;
}

/** Brahmic scripts (Devanagari to Sinhala) and Thai. */
const REORDERED_BY_SHAPING = /[\u0900-\u0dff\u0e00-\u0e7f]/;

/** Writes text in as few font runs as its characters allow, so every glyph comes from a font that has it. */
function write(doc: Doc, p: Para, x: number, y: number, width: number, align: 'left' | 'right' = 'left'): void {
  const drawn = { ...p, text: forLeftToRightDrawing(p.text) };
  if (REORDERED_BY_SHAPING.test(p.text)) {
    // Indic vowel signs drawn before the consonant they follow, Thai SARA AM drawn as two glyphs: the glyphs alone
    // would read back out of order, so the text layer is given the text itself.
    doc.markContent('Span', { actual: p.text } as never);
    writeRuns(doc, drawn, x, y, width, align);
    doc.endMarkedContent();
  } else writeRuns(doc, drawn, x, y, width, align);
}

function writeRuns(doc: Doc, p: Para, x: number, y: number, width: number, align: 'left' | 'right'): void {
  const runs = fontRuns(p.text, p.mono);
  const size = p.size ?? 9;
  doc.fillColor(p.color ?? INK).fontSize(size);
  if (align === 'right' && runs.length > 1) {
    // pdfkit aligns each continued run on its own, stacking mixed-font text; place a one-line label by its full width.
    const total = runs.reduce((w, run) => {
      useFont(doc, run.face, p.weight ?? 'regular');
      return w + doc.widthOfString(run.text);
    }, 0);
    writeRuns(doc, p, x + Math.max(0, width - total), y, Math.min(width, total + 1), 'left');
    return;
  }
  if (align === 'left' && runs.length === 1 && !p.text.includes('\n')) {
    const font = useFont(doc, runs[0]!.face, p.weight ?? 'regular');
    const lineHeight = doc.currentLineHeight(true);
    // Text known to take one line, clear of the page's bottom margin: pdfkit's line wrapper would find that again
    // (breaking it into words and measuring each) and write the whole text as that line, then move down one line.
    // Writing it without the wrapper gives the same content stream at about half the cost.
    if (lineCount(doc, font, size, width, p.text) === 1 && y + lineHeight <= doc.page.maxY() - 1) {
      doc.text(p.text, x, y, { lineBreak: false });
      doc.x = x;
      doc.y = y + (lineHeight + 1);
      return;
    }
  }
  runs.forEach((run, i) => {
    useFont(doc, run.face, p.weight ?? 'regular');
    const opts = { width, align, continued: i < runs.length - 1, lineGap: 1 };
    if (i === 0) doc.text(run.text, x, y, opts);
    else doc.text(run.text, opts);
  });
}

/**
 * The height pdfkit's heightOfString gives, without laying the paragraph out: how many lines it takes depends on font,
 * size, width and text only (lineCount), and the height is then summed line by line from the current y just as
 * heightOfString sums it, so it is the same number to the last bit.
 */
function heightOf(doc: Doc, p: Para, width: number): number {
  const runs = fontRuns(forLeftToRightDrawing(p.text), p.mono);
  const face = runs.find((r) => r.face !== 'latin')?.face ?? 'latin';
  const font = useFont(doc, face, p.weight ?? 'regular');
  const size = p.size ?? 9;
  doc.fontSize(size);
  const lineHeight = doc.currentLineHeight(true) + 1;
  const lines = lineCount(doc, font, size, width, p.text);
  let y = doc.y;
  for (let i = 0; i < lines; i++) y += lineHeight;
  return y - doc.y;
}

function stack(doc: Doc, paras: Para[], x: number, y: number, width: number): number {
  let cy = y;
  for (const p of paras) {
    write(doc, p, x, cy, width);
    cy += heightOf(doc, p, width);
  }
  return cy - y;
}

const stackHeight = (doc: Doc, paras: Para[], width: number) => paras.reduce((h, p) => h + heightOf(doc, p, width), 0);

interface Column {
  header: string;
  width: number;
  cell(line: FulfillmentDocument['lines'][number]): Para[];
}

function columns(s: LocaleStrings, date: (d: string) => string, tableWidth: number): Column[] {
  const mono = 8.5;
  const cols: Array<Omit<Column, 'width'> & { share: number }> = [
    { header: s.text('col.line'), share: 0.05, cell: (l) => [{ text: l.entitlement.lineNumber }] },
    {
      header: s.text('col.product'),
      share: 0.25,
      cell: ({ entitlement: e, keys }) => [
        { text: e.sku, weight: 'bold' },
        { text: e.licenseName },
        ...(keys.length
          ? [{ text: `${s.text('devices')}: ${keys.map((k) => k.device).join(', ')}`, size: 7.5, color: MUTED }]
          : []),
      ],
    },
    { header: s.text('col.quantity'), share: 0.08, cell: (l) => [{ text: String(l.entitlement.quantity) }] },
    {
      header: s.text('col.term'),
      share: 0.16,
      cell: ({ entitlement: e }) =>
        e.licenseType === 'perpetual'
          ? [{ text: s.text('perpetual') }]
          : [
              { text: s.text('subscription', { months: e.termMonths }) },
              ...(e.graceDays ? [{ text: s.text('grace', { days: e.graceDays }), size: 7.5, color: MUTED }] : []),
              ...(e.renewsSsrn ? [{ text: s.text('renewal', { ssrn: e.renewsSsrn }), size: 7.5, color: MUTED }] : []),
            ],
    },
    {
      header: s.text('col.dates'),
      share: 0.19,
      cell: ({ entitlement: e }) => [
        { text: date(e.startDate) },
        { text: e.endDate ? date(e.endDate) : s.text('noEnd') },
      ],
    },
    {
      header: s.text('col.codes'),
      share: 0.27,
      cell: ({ entitlement: e }) => [
        { text: e.activationCode, size: mono, mono: true },
        { text: e.ssrn, size: mono, weight: 'bold', mono: true },
      ],
    },
  ];
  return cols.map(({ share, ...c }) => ({ ...c, width: share * tableWidth }));
}

/**
 * The Software Entitlement Certificate. Deterministic: the same document gives the same bytes (dates fixed to the
 * issue date, no random ids), so support can resend exactly what was attached.
 */
export async function renderCertificate(input: FulfillmentDocument): Promise<Buffer> {
  const { order, fulfillment, brand } = input;
  const s = STRINGS.for(order.locale);
  const dateLocale = s.text('dateLocale');
  const date = (d: string) => formatDate(d, dateLocale);
  const issued = new Date(`${fulfillment.shipDate}T00:00:00Z`);
  const doc = new PDFDocument({
    size: brand.paperSize === 'LETTER' ? 'LETTER' : 'A4',
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: order.locale,
    displayTitle: true,
    // No default Helvetica: pdfkit would parse its metrics for every document, and every text here names its font.
    font: null as unknown as string,
    info: {
      Title: `${s.text('title')} ${fulfillment.certificateNumber}`,
      Subject: `${s.text('salesOrder')} ${order.number}`,
      Author: brand.name,
      Creator: brand.name,
      Producer: 'license-courier',
      Keywords: [fulfillment.certificateNumber, order.number, ...input.lines.map((l) => l.entitlement.ssrn)].join(', '),
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.addPage();
  // The entitlement data for machines, as PDF/A-3 allows: an associated file, dated like the certificate.
  doc.file(Buffer.from(entitlementsJson(input)), {
    name: 'entitlements.json',
    type: 'application/json',
    relationship: 'Data',
    description: `${s.text('title')} ${fulfillment.certificateNumber}`,
    creationDate: issued,
    modifiedDate: issued,
  } as never);
  const root = doc.struct('Document');
  doc.addStructure(root);

  const width = doc.page.width - 2 * MARGIN;
  const bottom = doc.page.height - MARGIN - 28;

  // Header: brand, title, QR code on the right.
  const qrSize = 84;
  const url = verificationUrl(brand.publicUrl, fulfillment.certificateNumber);
  const qr = certificateQr(url);
  const cell = qrSize / qr.size;
  const qrX = MARGIN + width - qrSize;
  tagged(
    doc,
    root,
    'Figure',
    () => {
      // Drawn in module units, scaled onto the page once: one rectangle per run of dark modules along a row, in small
      // integers (a third of the page's operators, a third of its bytes before compression), and no seams where a
      // viewer's anti-aliasing meets the edges of neighbouring squares. The colour is set before the path: PDF allows
      // nothing between building a path and filling it. The whole code goes to the page in one write.
      doc.fillColor('#000000');
      let runs = '';
      for (let y = 0; y < qr.size; y++) {
        const row = y * qr.size;
        for (let x = 0; x < qr.size; x++) {
          if (!qr.modules[row + x]) continue;
          let end = x + 1;
          while (end < qr.size && qr.modules[row + end]) end++;
          runs += `${x} ${y} ${end - x} 1 re\n`;
          x = end;
        }
      }
      doc.addContent(
        Buffer.from(
          `q\n${pdfNumber(cell)} 0 0 ${pdfNumber(cell)} ${pdfNumber(qrX)} ${MARGIN} cm\n${runs}f\nQ\n`,
          'latin1',
        ),
      );
    },
    { alt: `QR code: ${qr.payload}` },
  );
  const textWidth = width - qrSize - 16;
  let y = MARGIN;
  const heading = (type: string, p: Para) =>
    tagged(doc, root, type, () => {
      y += stack(doc, [p], MARGIN, y, textWidth);
    });
  heading('P', { text: brand.name, weight: 'bold', size: 11, color: ACCENT });
  y += 4;
  heading('H1', { text: s.text('title'), weight: 'bold', size: 20, color: ACCENT });
  y += 2;
  heading('P', { text: s.text('subtitle'), size: 9, color: MUTED });
  y += 2;
  tagged(doc, root, 'P', () => {
    y += stack(
      doc,
      [
        { text: s.text('verify'), size: 8, color: MUTED },
        { text: url, size: 8, color: ACCENT },
      ],
      MARGIN,
      y,
      textWidth,
    );
  });
  y = Math.max(y, MARGIN + qrSize) + 14;
  artifact(doc, () =>
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width, y)
      .lineWidth(1.5)
      .strokeColor(ACCENT)
      .stroke(),
  );
  y += 10;

  // Purchase details: label/value pairs in two columns.
  const details: Array<[string, string, boolean?]> = [
    [s.text('certificateNumber'), fulfillment.certificateNumber, true],
    [s.text('issueDate'), date(fulfillment.shipDate)],
    [s.text('salesOrder'), order.number],
    ...(order.poNumber ? [[s.text('poNumber'), order.poNumber] as [string, string]] : []),
    [
      s.text('endCustomer'),
      order.endCustomer.country ? `${order.endCustomer.name} (${order.endCustomer.country})` : order.endCustomer.name,
    ],
    [
      s.text('accounts'),
      order.accounts.map((a) => `${a.id}${a.name ? ` ${a.name}` : ''} (${s.text(`role.${a.role}`)})`).join('\n'),
    ],
  ];
  const labelWidth = 120;
  const detailTable = element(doc, root, 'Table');
  for (const [label, value, mono] of details) {
    const values = value.split('\n').map((t): Para => ({ text: t, weight: 'bold', size: 9.5, mono }));
    const h = Math.max(
      heightOf(doc, { text: label, size: 9 }, labelWidth),
      stackHeight(doc, values, width - labelWidth),
    );
    const row = element(doc, detailTable, 'TR');
    tagged(doc, row, 'TH', () => write(doc, { text: label, size: 9, color: MUTED }, MARGIN, y, labelWidth));
    tagged(doc, row, 'TD', () => stack(doc, values, MARGIN + labelWidth, y, width - labelWidth));
    row.end();
    y += h + 4;
  }
  detailTable.end();
  y += 10;

  // The table of lines, continuing over pages with its header repeated.
  const cols = columns(s, date, width);
  const pad = 4;
  const lineTable = element(doc, root, 'Table');
  const headers = cols.map((c): Para => ({ text: c.header, weight: 'bold', size: 8, color: '#ffffff' }));
  const headerHeight = Math.max(...cols.map((c, i) => heightOf(doc, headers[i]!, c.width - 2 * pad))) + 2 * pad;
  /** The header row: tagged once, and an artifact where a page repeats it. */
  const drawHeader = (top: number, tags?: PDFKit.PDFStructureElement) => {
    artifact(doc, () => doc.rect(MARGIN, top, width, headerHeight).fill(ACCENT));
    let x = MARGIN;
    cols.forEach((c, i) => {
      const cx = x;
      const draw = () => write(doc, headers[i]!, cx + pad, top + pad, c.width - 2 * pad);
      if (tags) tagged(doc, tags, 'TH', draw);
      else artifact(doc, draw, 'Pagination');
      x += c.width;
    });
    tags?.end();
    return top + headerHeight;
  };
  y = drawHeader(y, element(doc, lineTable, 'TR'));
  input.lines.forEach((line, index) => {
    const cells = cols.map((c) => c.cell(line));
    const h = Math.max(...cols.map((c, i) => stackHeight(doc, cells[i]!, c.width - 2 * pad))) + 2 * pad;
    if (y + h > bottom) {
      doc.addPage();
      y = drawHeader(MARGIN);
    }
    artifact(doc, () => {
      if (index % 2 === 1) doc.rect(MARGIN, y, width, h).fill('#f5f7fa');
      doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + width, y + h)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
    });
    const row = element(doc, lineTable, 'TR');
    let x = MARGIN;
    cols.forEach((c, i) => {
      const cx = x;
      tagged(doc, row, 'TD', () => stack(doc, cells[i]!, cx + pad, y + pad, c.width - 2 * pad));
      x += c.width;
    });
    row.end();
    y += h;
  });
  lineTable.end();

  // Footer on every page, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const fy = doc.page.height - MARGIN - 14;
    // Writing inside the bottom margin must not open a new page.
    const savedMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    artifact(
      doc,
      () => {
        doc
          .moveTo(MARGIN, fy - 6)
          .lineTo(MARGIN + width, fy - 6)
          .lineWidth(0.5)
          .strokeColor(RULE)
          .stroke();
        write(
          doc,
          {
            text: `${fulfillment.certificateNumber} · ${s.text('footer', { brand: brand.name, support: brand.supportEmail })}`,
            size: 7,
            color: MUTED,
          },
          MARGIN,
          fy,
          width - 90,
        );
        write(
          doc,
          { text: s.text('page', { page: i + 1, pages: range.count }), size: 7, color: MUTED },
          MARGIN + width - 90,
          fy,
          90,
          'right',
        );
      },
      'Pagination',
    );
    doc.page.margins.bottom = savedMargin;
  }
  root.end();
  doc.end();
  return done;
}
