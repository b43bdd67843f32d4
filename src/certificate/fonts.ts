import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { LRUCache } from 'lru-cache';
import { remember } from '../cache/remember.ts';
import { faceOf, hasGlyph } from './coverage.ts';
import { FONT_FILES, fontFile, type Face, type Weight } from './font-files.ts';
import { sharedFont } from './shared-font.ts';
import { TEXT_CACHE_CAPACITY } from './text-cache-capacity.ts';
import { sfnt } from './woff.ts';

// Fonts are read and parsed once per process, when a document first needs them, and the parsed objects handed to every
// document: giving pdfkit a path or buffer would re-parse the font for each certificate (Noto Sans JP is 5 MB).

export type { Face, Weight };
export type FontObject = fontkit.Font;

/** The font file the certificate draws from, as fontkit parses it, without what the certificate adds. */
export function parseFontFile(face: Face, weight: Weight): FontObject {
  return fontkit.create(sfnt(readFileSync(fontFile(face, weight)))) as FontObject;
}

const loaded = new Map<string, FontObject>();

/** The face in that weight, as every certificate of the process shares it. */
export function font(face: Face, weight: Weight): FontObject {
  const file = FONT_FILES[face][weight];
  let f = loaded.get(file);
  // Plain ASCII is put together pair by pair in Noto Sans only: Noto Sans JP positions some ASCII by context (the tests
  // found runs of three that differ from their pairs).
  if (!f) loaded.set(file, (f = sharedFont(parseFontFile(face, weight), { pairShaping: face === 'latin' })));
  return f;
}

export interface Run {
  text: string;
  face: Face;
}

// The runs of each text, kept: certificates repeat most of them.
const runsOf = new LRUCache<string, readonly Run[]>({ max: TEXT_CACHE_CAPACITY });

/**
 * Splits text into runs by the first face that has each character (Noto Sans Mono first for `mono` text, where it
 * has the character); white space and joiners stay with the run they are in, but for a space after an emoji.
 */
export function fontRuns(text: string, mono = false): readonly Run[] {
  return remember(runsOf, mono ? `\u0000${text}` : text, () => {
    const split: Run[] = [];
    for (const ch of text) {
      const last = split.at(-1);
      const face = mono && hasGlyph('mono', ch.codePointAt(0)!) ? 'mono' : faceOf(ch);
      // Noto Emoji's space is as wide as an emoji: a space after one starts a run of text.
      const joins = face === undefined && !(last?.face === 'emoji' && /\s/.test(ch));
      if (last && (joins || last.face === face)) last.text += ch;
      else split.push({ text: ch, face: face ?? 'latin' });
    }
    return split;
  });
}
