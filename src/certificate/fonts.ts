import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { BoundedMap } from '../cache/bounded-map.ts';
import { sharedFont } from './shared-font.ts';

// Fonts are read and parsed once per process and the parsed objects handed to every document: giving pdfkit a path or
// buffer would re-parse the font for each certificate (about 80 ms; Noto Sans JP is 5 MB).

const require = createRequire(import.meta.url);

export type Weight = 'regular' | 'bold';
export type FontObject = fontkit.Font;

function load(pkg: string, file: string): FontObject {
  return sharedFont(fontkit.create(readFileSync(require.resolve(`${pkg}/${file}`))));
}

interface Family {
  regular: FontObject;
  bold: FontObject;
}

let cache: { latin: Family; cjk: Family } | undefined;

/** Noto Sans (Latin, Greek, Cyrillic) first, Noto Sans JP (CJK) as the fallback. */
export function fonts(): { latin: Family; cjk: Family } {
  cache ??= {
    latin: { regular: load('@expo-google-fonts/noto-sans', '400Regular/NotoSans_400Regular.ttf'), bold: load('@expo-google-fonts/noto-sans', '700Bold/NotoSans_700Bold.ttf') },
    cjk: { regular: load('@expo-google-fonts/noto-sans-jp', '400Regular/NotoSansJP_400Regular.ttf'), bold: load('@expo-google-fonts/noto-sans-jp', '700Bold/NotoSansJP_700Bold.ttf') },
  };
  return cache;
}

export interface Run {
  text: string;
  font: 'latin' | 'cjk';
}

const covers = (font: FontObject, ch: string) => /\s/.test(ch) || font.hasGlyphForCodePoint(ch.codePointAt(0)!);

// The font of each character and the runs of each text, kept: certificates repeat most of both, and fontkit's cmap
// lookup is slow.
const fontOf = new BoundedMap<string, Run['font']>(10_000);
const runsOf = new BoundedMap<string, readonly Run[]>(10_000);

function fontFor(ch: string): Run['font'] {
  let font = fontOf.get(ch);
  if (!font) {
    const { latin, cjk } = fonts();
    font = covers(latin.regular, ch) || !covers(cjk.regular, ch) ? 'latin' : 'cjk';
    fontOf.set(ch, font);
  }
  return font;
}

/** Splits text into runs by the first font that has each character; spaces stay with the run they are in. */
export function fontRuns(text: string): readonly Run[] {
  let runs = runsOf.get(text);
  if (!runs) {
    const split: Run[] = [];
    for (const ch of text) {
      const font = fontFor(ch);
      const last = split.at(-1);
      if (last && (last.font === font || /\s/.test(ch))) last.text += ch;
      else split.push({ text: ch, font });
    }
    runs = split;
    runsOf.set(text, runs);
  }
  return runs;
}

/** Characters neither font can draw: they would print as empty boxes. */
export function uncoveredCharacters(text: string): string[] {
  const { latin, cjk } = fonts();
  return [...new Set([...text].filter((ch) => !covers(latin.regular, ch) && !covers(cjk.regular, ch)))];
}
