import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { coverageLookups } from './coverage.ts';
import { fontCoverage } from './font-coverage-source.ts';
import { publishedFontFile, type Face, type Weight } from './font-files.ts';
import './shared-font.ts'; // fontkit's cmap lookup by glyph, as declared there

// What a subset of a published font file keeps (scripts/font-subsets.ts makes it with pyftsubset, which adds the
// glyphs the layout tables reach from these).

type ClassDef =
  | { version: 1; startGlyph: number; classValueArray: number[] }
  | { version: 2; classRangeRecord: Array<{ start: number; end: number; class: number }> };

declare module 'fontkit' {
  interface Font {
    GDEF?: { glyphClassDef?: ClassDef };
  }
}

/** The first face that draws a character, as the published font files have it: what every subset must keep. */
export const publishedFaceOf = () => coverageLookups(fontCoverage(publishedFontFile)).faceOf;

/**
 * The characters the subset keeps: each one the certificate may draw from that face (it is the first face to have it;
 * or it is invisible, or no face has it in both weights, and it joins a run of that face), and each other character
 * the file maps to one of their glyphs: shared-font.ts labels a glyph in the PDF with the characters mapped to it.
 */
function characters(font: fontkit.Font, face: Face, faceOf: (ch: string) => Face | undefined): number[] {
  const kept = new Set<number>();
  for (const code of font.characterSet) {
    const first = faceOf(String.fromCodePoint(code));
    if (first !== undefined && first !== face) continue;
    kept.add(code);
    for (const same of font._cmapProcessor.codePointsForGlyph(font.glyphForCodePoint(code).id)) kept.add(same);
  }
  return [...kept].sort((a, b) => a - b);
}

/**
 * The glyphs the GDEF table gives a class (marks, ligatures), kept whatever draws them: with none left, pyftsubset
 * drops the table, and fontkit would then class every glyph by its characters' Unicode category instead (a glyph
 * outside the table is neither base nor mark to fontkit, one of a font without it is a base).
 */
function classifiedGlyphs(font: fontkit.Font): number[] {
  const classes = font.GDEF?.glyphClassDef;
  if (!classes) return [];
  if (classes.version === 1) {
    return classes.classValueArray.flatMap((c, i) => (c ? [classes.startGlyph + i] : []));
  }
  return classes.classRangeRecord.flatMap(({ start, end, class: c }) =>
    c ? Array.from({ length: end - start + 1 }, (_, i) => start + i) : [],
  );
}

/** What the subset of the face's published file in that weight keeps: characters, and glyphs by id. */
export function subsetSelection(face: Face, weight: Weight, faceOf: (ch: string) => Face | undefined) {
  const font = fontkit.create(readFileSync(publishedFontFile(face, weight)));
  return { characters: characters(font, face, faceOf), glyphs: classifiedGlyphs(font) };
}
