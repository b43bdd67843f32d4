import type { Font } from 'fontkit';

// Kept, not given back to fontkit: its TrueType subsetter (TTFSubset) parses the outline of every glyph of every
// document only to find the parts of composite glyphs, and writes the tables field by field through restructure, a
// good part of a certificate's render time. This writes the same bytes (the tests compare the two byte for byte) from
// what each glyph contributes, read once per glyph for the whole process. Fonts of other formats get fontkit's.

declare module 'fontkit' {
  interface Font {
    createSubset(): { glyphs: number[]; includeGlyph(glyphId: number): number; encode(): Uint8Array };
    directory: { tables: Record<string, unknown> };
    getGlyph(glyphId: number): FontkitGlyph;
    loca: { version: number; offsets: number[] };
    _getTableStream(tag: string): { buffer: Uint8Array; pos: number };
    _variationProcessor?: unknown;
  }
}

interface FontkitGlyph {
  advanceWidth: number;
  _getMetrics(): { leftBearing: number };
  _decode(): { numberOfContours: number; components?: Array<{ glyphID: number; pos: number }> } | null;
}

/** A glyph as a subset copies it: its bytes in the font's glyf table and its horizontal metrics. */
interface GlyphRecord {
  data: Uint8Array;
  /** A composite glyph's parts: the glyph each draws, and where in `data` that glyph id is written. */
  components: Array<{ glyphID: number; pos: number }>;
  advance: number;
  bearing: number;
}

/**
 * A table of a subset, in the order fontkit writes them: loca, glyf and hmtx are made for each subset, the rest are the
 * font's own, copied as they are (`data`).
 */
interface Table {
  tag: string;
  data?: Uint8Array;
}

const HEADER = 12;
const RECORD = 16;
const tagOf = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);

/** What subsets of one font share: the glyphs read so far (at most the font's glyph count) and the fixed tables. */
export class SubsetSource {
  private readonly records: Array<GlyphRecord | undefined> = [];
  /** The font file and where its glyf table starts. */
  private readonly file: Uint8Array;
  private readonly glyf: number;
  readonly tables: Table[] = [];

  /** The formats fontkit's TTFSubset writes without recomputing outlines: static TrueType outlines. */
  static supports(font: Font): boolean {
    return !font.directory.tables['CFF '] && !font._variationProcessor;
  }

  /**
   * Whether the subset's loca table holds short offsets (halved, 16 bits), as the font's does: fontkit keeps the
   * font's format. A font in that format keeps every glyph at an even offset, so halving loses nothing.
   */
  readonly shortOffsets: boolean;

  constructor(private readonly font: Font) {
    if (!SubsetSource.supports(font)) {
      throw new Error(`${font.postscriptName}: only static TrueType fonts are supported`);
    }
    this.shortOffsets = font.loca.version === 0;
    const stream = font._getTableStream('glyf');
    this.file = stream.buffer;
    this.glyf = stream.pos;
    // fontkit's own subset of the missing glyph alone gives the table order and the tables copied from the font; maxp
    // and hhea differ between subsets only in the glyph count, patched in encode.
    const model = font.createSubset().encode();
    const view = new DataView(model.buffer, model.byteOffset, model.byteLength);
    for (let i = 0; i < view.getUint16(4); i++) {
      const at = HEADER + i * RECORD;
      const tag = tagOf(model, at);
      const offset = view.getUint32(at + 8);
      const made = tag === 'loca' || tag === 'glyf' || tag === 'hmtx';
      this.tables.push(made ? { tag } : { tag, data: model.slice(offset, offset + view.getUint32(at + 12)) });
    }
  }

  glyph(id: number): GlyphRecord {
    let record = this.records[id];
    if (!record) {
      const glyph = this.font.getGlyph(id);
      const start = this.font.loca.offsets[id]!;
      const end = this.font.loca.offsets[id + 1]!;
      const decoded = glyph._decode();
      record = {
        data: this.file.subarray(this.glyf + start, this.glyf + end),
        components:
          decoded && decoded.numberOfContours < 0
            ? decoded.components!.map(({ glyphID, pos }) => ({ glyphID, pos }))
            : [],
        advance: glyph.advanceWidth,
        bearing: glyph._getMetrics().leftBearing,
      };
      this.records[id] = record;
    }
    return record;
  }
}

/** A document's subset of a font, as pdfkit uses fontkit's: glyphs numbered in the order they are first drawn. */
export class TrueTypeSubset {
  readonly glyphs: number[] = [];
  private readonly mapping = new Map<number, number>();

  constructor(private readonly source: SubsetSource) {
    this.includeGlyph(0);
  }

  includeGlyph(id: number): number {
    let gid = this.mapping.get(id);
    if (gid === undefined) {
      gid = this.glyphs.push(id) - 1;
      this.mapping.set(id, gid);
    }
    return gid;
  }

  /** Each glyph's bytes, its parts renumbered in the subset, and its metrics, in subset order. */
  private collect(): { glyphs: Uint8Array[]; metrics: GlyphRecord[] } {
    const glyphs: Uint8Array[] = [];
    const metrics: GlyphRecord[] = [];
    // Parts of composite glyphs join the subset as they are met, so the list grows while it is walked.
    for (let i = 0; i < this.glyphs.length; i++) {
      const record = this.source.glyph(this.glyphs[i]!);
      let data = record.data;
      if (record.components.length) {
        data = new Uint8Array(data); // a copy: the record views the font file itself
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        for (const { glyphID, pos } of record.components) view.setUint16(pos, this.includeGlyph(glyphID));
      }
      glyphs.push(data);
      metrics.push(record);
    }
    return { glyphs, metrics };
  }

  encode(): Uint8Array {
    const { glyphs, metrics } = this.collect();
    const count = glyphs.length;
    const glyfLength = glyphs.reduce((n, g) => n + g.length, 0);
    const short = this.source.shortOffsets;
    const sizes = this.source.tables.map(
      ({ tag, data }) =>
        data?.length ?? (tag === 'loca' ? (count + 1) * (short ? 2 : 4) : tag === 'glyf' ? glyfLength : count * 4),
    );
    const tables = this.source.tables.length;
    const out = new Uint8Array(HEADER + tables * RECORD + sizes.reduce((a, b) => a + b, 0));
    const view = new DataView(out.buffer);
    out.set([0x74, 0x72, 0x75, 0x65]); // "true", as fontkit tags its subsets
    const power = 2 ** Math.floor(Math.log2(tables));
    view.setUint16(4, tables);
    view.setUint16(6, power * 16);
    view.setUint16(8, Math.log2(power));
    view.setUint16(10, tables * 16 - power * 16);
    let offset = HEADER + tables * RECORD;
    this.source.tables.forEach(({ tag, data }, i) => {
      const record = HEADER + i * RECORD;
      for (let c = 0; c < 4; c++) out[record + c] = tag.charCodeAt(c);
      // The checksum stays 0, as fontkit leaves it.
      view.setUint32(record + 8, offset);
      view.setUint32(record + 12, sizes[i]!);
      if (data) {
        out.set(data, offset);
        if (tag === 'maxp') view.setUint16(offset + 4, count); // numGlyphs
        if (tag === 'hhea') view.setUint16(offset + 34, count); // numberOfMetrics
      } else if (tag === 'glyf') {
        let at = offset;
        for (const g of glyphs) {
          out.set(g, at);
          at += g.length;
        }
      } else if (tag === 'loca') {
        const put = short
          ? (n: number, at: number) => view.setUint16(offset + n * 2, at / 2)
          : (n: number, at: number) => view.setUint32(offset + n * 4, at);
        let at = 0;
        glyphs.forEach((g, n) => {
          put(n, at);
          at += g.length;
        });
        put(count, at);
      } else {
        metrics.forEach((m, n) => {
          view.setUint16(offset + n * 4, m.advance);
          view.setInt16(offset + n * 4 + 2, m.bearing);
        });
      }
      offset += sizes[i]!;
    });
    return out;
  }
}
