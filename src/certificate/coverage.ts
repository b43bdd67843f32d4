import { readFileSync } from 'node:fs';
import type { Ranges } from './font-coverage-source.ts';
import { TEXT_FACES, type Face } from './font-files.ts';
import { projectFile } from '../project-files.ts';

// Which face draws which character, from a table made from the fonts (scripts/font-coverage.ts), not from the fonts
// themselves: intake checks every name against it without reading 40 MB of fonts, and a worker reads only the faces a
// document needs.

/** A face's ranges as sorted starts and (exclusive) ends. */
interface Spans {
  starts: Uint32Array;
  ends: Uint32Array;
}

function spans(ranges: Ranges): Spans {
  const n = ranges.length / 2;
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = at + ranges[2 * i]!;
    ends[i] = starts[i]! + ranges[2 * i + 1]!;
    at = ends[i]!;
  }
  return { starts, ends };
}

const SPACE = /\s/;
/** Joiners and variation selectors: they shape what is next to them and draw nothing of their own. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/** White space and invisible characters: any face may carry them. */
export const isInvisible = (ch: string) => SPACE.test(ch) || IGNORABLE.test(ch);

/**
 * The lookups a coverage table gives: the table of the certificate's fonts below, or (for the font subsets' script
 * and tests) one read from other font files.
 */
export function coverageLookups(table: Record<Face, Ranges>) {
  const byFace = Object.fromEntries(Object.entries(table).map(([face, ranges]) => [face, spans(ranges)])) as Record<
    Face,
    Spans
  >;
  /** Whether both weights of the face draw the code point. */
  const hasGlyph = (face: Face, codePoint: number): boolean => {
    const { starts, ends } = byFace[face];
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (codePoint < starts[mid]!) hi = mid - 1;
      else if (codePoint >= ends[mid]!) lo = mid + 1;
      else return true;
    }
    return false;
  };
  /** The first face that draws the character; undefined for invisible characters and for those no face has. */
  const faceOf = (ch: string): Face | undefined => {
    if (isInvisible(ch)) return undefined;
    const code = ch.codePointAt(0)!;
    return TEXT_FACES.find((face) => hasGlyph(face, code));
  };
  return { hasGlyph, faceOf };
}

export const { hasGlyph, faceOf } = coverageLookups(
  JSON.parse(readFileSync(projectFile('src/certificate/coverage.json'), 'utf8')) as Record<Face, Ranges>,
);

/** Characters no face can draw: they would print as empty boxes, so intake refuses them. */
export function uncoveredCharacters(text: string): string[] {
  return [...new Set([...text].filter((ch) => !isInvisible(ch) && faceOf(ch) === undefined))];
}
