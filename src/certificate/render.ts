import PDFDocument from 'pdfkit';
import { formatDate } from '../locale/format-date.ts';
import { loadLocaleStrings, type LocaleStrings } from '../locale/strings.ts';
import type { FulfillmentDocument } from '../model.ts';
import { verificationUrl } from '../verification/url.ts';
import { entitlementsJson } from './entitlements-json.ts';
import { certificateQr, type Qr } from './qr.ts';
import { artifact, element, tagged, type Struct } from './tags.ts';
import { heightOf, stack, stackHeight, write, type Doc, type Para } from './text.ts';
import { projectFile } from '../project-files.ts';

const STRINGS = loadLocaleStrings(projectFile('templates/certificate/'));

const MARGIN = 48;
const MUTED = '#52606d';
const ACCENT = '#0b3c6f';
const RULE = '#bcccdc';

/** A number as pdfkit writes it into content streams (PDFObject.number): rounded to six decimals. */
const pdfNumber = (n: number) => Math.round(n * 1e6) / 1e6;

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

/** What each part of the page draws with: the document and its structure root, the wording, the printable width. */
interface Page {
  doc: Doc;
  root: Struct;
  input: FulfillmentDocument;
  s: LocaleStrings;
  date: (d: string) => string;
  width: number;
}

/**
 * The Software Entitlement Certificate. Deterministic: the same document gives the same bytes (dates fixed to the
 * issue date, no random ids), so support can resend exactly what was attached.
 */
export async function renderCertificate(input: FulfillmentDocument): Promise<Buffer> {
  const s = STRINGS.for(input.order.locale);
  const dateLocale = s.text('dateLocale');
  const issued = new Date(`${input.fulfillment.shipDate}T00:00:00Z`);
  const doc = openDocument(input, s, issued);
  const done = bytesOf(doc);
  doc.addPage();
  attachEntitlements(doc, input, s, issued);
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;
  const page: Page = { doc, root, input, s, date: (d) => formatDate(d, dateLocale), width };
  let y = drawHeader(page);
  y = drawDetails(page, y);
  drawLineTable(page, y);
  drawFooters(page);
  root.end();
  doc.end();
  return done;
}

/** A tagged PDF/A-3b document whose info names the certificate, the order and every SSRN, dated on the issue date. */
function openDocument(input: FulfillmentDocument, s: LocaleStrings, issued: Date): Doc {
  const { order, fulfillment, brand } = input;
  return new PDFDocument({
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
}

/** The document's bytes, once it has ended. */
function bytesOf(doc: Doc): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** The entitlement data for machines, as PDF/A-3 allows: an associated file, dated like the certificate. */
function attachEntitlements(doc: Doc, input: FulfillmentDocument, s: LocaleStrings, issued: Date): void {
  doc.file(Buffer.from(entitlementsJson(input)), {
    name: 'entitlements.json',
    type: 'application/json',
    relationship: 'Data',
    description: `${s.text('title')} ${input.fulfillment.certificateNumber}`,
    creationDate: issued,
    modifiedDate: issued,
  } as never);
}

const QR_SIZE = 84;

/** Brand, title and verification address, the QR code on the right, and a rule below: returns the y after it. */
function drawHeader(page: Page): number {
  const { doc, input, width } = page;
  const url = verificationUrl(input.brand.publicUrl, input.fulfillment.certificateNumber);
  drawQr(page, url);
  const y = Math.max(drawTitle(page, url), MARGIN + QR_SIZE) + 14;
  artifact(doc, () =>
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width, y)
      .lineWidth(1.5)
      .strokeColor(ACCENT)
      .stroke(),
  );
  return y + 10;
}

/** The QR code carrying the verification address, in the top right corner. */
function drawQr({ doc, root, width }: Page, url: string): void {
  const qr = certificateQr(url);
  const cell = QR_SIZE / qr.size;
  const qrX = MARGIN + width - QR_SIZE;
  tagged(
    doc,
    root,
    'Figure',
    () => {
      // The colour is set before the path: PDF allows nothing between building a path and filling it. The whole code
      // goes to the page in one write.
      doc.fillColor('#000000');
      doc.addContent(
        Buffer.from(
          `q\n${pdfNumber(cell)} 0 0 ${pdfNumber(cell)} ${pdfNumber(qrX)} ${MARGIN} cm\n${qrRectangles(qr)}f\nQ\n`,
          'latin1',
        ),
      );
    },
    { alt: `QR code: ${qr.payload}` },
  );
}

/**
 * The dark modules as rectangles in module units, to be scaled onto the page once: one rectangle per run of dark
 * modules along a row, in small integers (a third of the page's operators, a third of its bytes before compression),
 * and no seams where a viewer's anti-aliasing meets the edges of neighbouring squares.
 */
function qrRectangles(qr: Qr): string {
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
  return runs;
}

/** Brand, title, subtitle and verification address, left of the QR code: returns the y below them. */
function drawTitle({ doc, root, input, s, width }: Page, url: string): number {
  const textWidth = width - QR_SIZE - 16;
  let y = MARGIN;
  const block = (type: string, paras: Para[]) =>
    tagged(doc, root, type, () => {
      y += stack(doc, paras, MARGIN, y, textWidth);
    });
  block('P', [{ text: input.brand.name, weight: 'bold', size: 11, color: ACCENT }]);
  y += 4;
  block('H1', [{ text: s.text('title'), weight: 'bold', size: 20, color: ACCENT }]);
  y += 2;
  block('P', [{ text: s.text('subtitle'), size: 9, color: MUTED }]);
  y += 2;
  block('P', [
    { text: s.text('verify'), size: 8, color: MUTED },
    { text: url, size: 8, color: ACCENT },
  ]);
  return y;
}

/** Purchase details as [label, value, in mono?]; a value of several lines has them separated by '\n'. */
function details({ input: { order, fulfillment }, s, date }: Page): Array<[string, string, boolean?]> {
  return [
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
}

const LABEL_WIDTH = 120;

/** Purchase details: label/value pairs in two columns, from `top`; returns the y below them. */
function drawDetails(page: Page, top: number): number {
  const { doc, root, width } = page;
  let y = top;
  const table = element(doc, root, 'Table');
  for (const [label, value, mono] of details(page)) {
    const values = value.split('\n').map((t): Para => ({ text: t, weight: 'bold', size: 9.5, mono }));
    const h = Math.max(
      heightOf(doc, { text: label, size: 9 }, LABEL_WIDTH),
      stackHeight(doc, values, width - LABEL_WIDTH),
    );
    const row = element(doc, table, 'TR');
    tagged(doc, row, 'TH', () => write(doc, { text: label, size: 9, color: MUTED }, MARGIN, y, LABEL_WIDTH));
    tagged(doc, row, 'TD', () => stack(doc, values, MARGIN + LABEL_WIDTH, y, width - LABEL_WIDTH));
    row.end();
    y += h + 4;
  }
  table.end();
  return y + 10;
}

const PAD = 4;

/** The table's header row: a cell per column, and the height they take. */
interface HeaderRow {
  cells: Para[];
  height: number;
}

/** The table of lines from `top`, continuing over pages with its header repeated. */
function drawLineTable(page: Page, top: number): void {
  const { doc, root, input, width } = page;
  const bottom = doc.page.height - MARGIN - 28;
  const cols = columns(page.s, page.date, width);
  const table = element(doc, root, 'Table');
  const cells = cols.map((c): Para => ({ text: c.header, weight: 'bold', size: 8, color: '#ffffff' }));
  const height = Math.max(...cols.map((c, i) => heightOf(doc, cells[i]!, c.width - 2 * PAD))) + 2 * PAD;
  const header: HeaderRow = { cells, height };
  let y = drawHeaderRow(page, cols, header, top, element(doc, table, 'TR'));
  input.lines.forEach((line, index) => {
    const cells = cols.map((c) => c.cell(line));
    const h = Math.max(...cols.map((c, i) => stackHeight(doc, cells[i]!, c.width - 2 * PAD))) + 2 * PAD;
    if (y + h > bottom) {
      doc.addPage();
      y = drawHeaderRow(page, cols, header, MARGIN);
    }
    drawRowDecoration(page, y, h, index % 2 === 1);
    const row = element(doc, table, 'TR');
    let x = MARGIN;
    cols.forEach((c, i) => {
      const cx = x;
      tagged(doc, row, 'TD', () => stack(doc, cells[i]!, cx + PAD, y + PAD, c.width - 2 * PAD));
      x += c.width;
    });
    row.end();
    y += h;
  });
  table.end();
}

/** The header row at `top`: tagged once (`tags`), and an artifact where a page repeats it. Returns the y below it. */
function drawHeaderRow({ doc, width }: Page, cols: Column[], header: HeaderRow, top: number, tags?: Struct): number {
  artifact(doc, () => doc.rect(MARGIN, top, width, header.height).fill(ACCENT));
  let x = MARGIN;
  cols.forEach((c, i) => {
    const cx = x;
    const draw = () => write(doc, header.cells[i]!, cx + PAD, top + PAD, c.width - 2 * PAD);
    if (tags) tagged(doc, tags, 'TH', draw);
    else artifact(doc, draw, 'Pagination');
    x += c.width;
  });
  tags?.end();
  return top + header.height;
}

/** Decoration of a row of `height` at `top`: shaded if asked, a rule along its bottom. */
function drawRowDecoration({ doc, width }: Page, top: number, height: number, shaded: boolean): void {
  artifact(doc, () => {
    if (shaded) doc.rect(MARGIN, top, width, height).fill('#f5f7fa');
    doc
      .moveTo(MARGIN, top + height)
      .lineTo(MARGIN + width, top + height)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
  });
}

/** The footer of every page, drawn once the page count is known. */
function drawFooters(page: Page): void {
  const { doc, input, s } = page;
  const { brand, fulfillment } = input;
  const contact = s.text('footer', { brand: brand.name, support: brand.supportEmail });
  const note = `${fulfillment.certificateNumber} · ${contact}`;
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    drawFooter(page, note, s.text('page', { page: i + 1, pages: range.count }));
  }
}

/** A rule, then `note` on the left and `pageLabel` on the right, inside the bottom margin of the current page. */
function drawFooter({ doc, width }: Page, note: string, pageLabel: string): void {
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
      write(doc, { text: note, size: 7, color: MUTED }, MARGIN, fy, width - 90);
      write(doc, { text: pageLabel, size: 7, color: MUTED }, MARGIN + width - 90, fy, 90, 'right');
    },
    'Pagination',
  );
  doc.page.margins.bottom = savedMargin;
}
