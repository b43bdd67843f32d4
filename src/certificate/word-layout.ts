import PDFDocument from 'pdfkit';
import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import { TEXT_CACHE_CAPACITY } from './text-cache-capacity.ts';

// pdfkit (0.20) lays a text out word by word (EmbeddedFont.layout: each word with its trailing space, so kerning never
// crosses a space) through a cache that lives for one document, and joins the words' glyphs and positions into new
// arrays on every call: to measure a text, to encode it and to advance past it, several times for each text drawn.
// The words' runs are the shared font's, the same objects in every document (shared-font.ts), so the joined layout is
// the same in every document too, and pdfkit only reads it. It is kept here, per font and text, for the process.

interface Layout {
  glyphs: unknown[];
  positions: unknown[];
  advanceWidth: number;
}

interface EmbeddedFont {
  /** The fontkit font pdfkit embeds: for the certificate's fonts, one shared object per font for the process. */
  font: object;
  layout(text: string, features?: unknown, onlyWidth?: boolean): Layout;
}

const layouts = new WeakMap<object, LRUCache<string, Layout>>();
let installed = false;

/**
 * Makes pdfkit's EmbeddedFont keep its layouts across documents. pdfkit does not export the class, so it is reached
 * through a font of a document that is never written.
 */
export function rememberWordLayouts(anyFont: object): void {
  if (installed) return;
  installed = true;
  const probe = new PDFDocument({ autoFirstPage: false, font: null as unknown as string });
  probe.registerFont('probe', anyFont as never).font('probe');
  const proto = Object.getPrototypeOf((probe as unknown as { _font: EmbeddedFont })._font) as EmbeddedFont;
  const layout = proto.layout;
  proto.layout = function (this: EmbeddedFont, text, features, onlyWidth) {
    // Features (ligatures on or off, and the like) make a different layout: pdfkit's own path, uncached.
    if (features) return layout.call(this, text, features, onlyWidth);
    let byText = layouts.get(this.font);
    if (!byText) layouts.set(this.font, (byText = new LRUCache({ max: TEXT_CACHE_CAPACITY })));
    return remember(byText, text, () => layout.call(this, text));
  };
}
