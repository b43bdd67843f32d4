import type PDFDocument from 'pdfkit';

// The certificate is a tagged PDF: text sits in a structure tree (headings, paragraphs, tables with header cells) that
// screen readers and reflowing viewers follow; rules, shading and repeated page furniture are marked as artifacts.

type Doc = InstanceType<typeof PDFDocument>;
export type Struct = PDFKit.PDFStructureElement;
type Options = Parameters<Doc['struct']>[1];

/** An element under `parent` that will hold further elements (Table, TR). */
export function element(doc: Doc, parent: Struct, type: string, options?: Options): Struct {
  const el = doc.struct(type, options);
  parent.add(el);
  return el;
}

/** An element under `parent` whose content is what `draw` puts on the page. */
export function tagged(doc: Doc, parent: Struct, type: string, draw: () => void, options?: Options): void {
  const el = element(doc, parent, type, options);
  el.add(draw);
  el.end();
}

/** Drawing that is not content: decoration, or what repeats on each page (table header, footer). */
export function artifact(doc: Doc, draw: () => void, type?: 'Pagination' | 'Layout'): void {
  doc.markContent('Artifact', type ? { type } : {});
  draw();
  doc.endMarkedContent();
}
