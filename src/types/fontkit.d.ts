// The part of fontkit's API this project uses (the package ships no types).
declare module 'fontkit' {
  export interface Font {
    postscriptName: string;
    /** Every code point the font maps to a glyph. */
    characterSet: number[];
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): { id: number };
    layout(text: string): unknown;
  }
  export function create(buffer: Buffer | Uint8Array, postscriptName?: string): Font;
}
