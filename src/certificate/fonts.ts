import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { BoundedMap } from '../cache/bounded-map.ts';
import { sharedFont } from './shared-font.ts';
import { TEXT_CACHE_CAPACITY } from './text-cache-capacity.ts';

// Fonts are read and parsed once per process and the parsed objects handed to every document: giving pdfkit a path or
// buffer would re-parse the font for each certificate (about 80 ms; Noto Sans JP is 5 MB).

const require = createRequire(import.meta.url);

export type Weight = 'regular' | 'bold';
export type FontObject = fontkit.Font;

const FILES = {
  latin: { regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf', bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf' },
  cjk: { regular: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf', bold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf' },
} as const;

export type Script = keyof typeof FILES;

/** The font file as fontkit parses it, without what the certificate adds. */
export function parseFontFile(script: Script, weight: Weight): FontObject {
  return fontkit.create(readFileSync(require.resolve(FILES[script][weight])));
}

interface Family {
  regular: FontObject;
  bold: FontObject;
}

const family = (script: Script): Family => ({
  regular: sharedFont(parseFontFile(script, 'regular')),
  bold: sharedFont(parseFontFile(script, 'bold')),
});

let cache: Record<Script, Family> | undefined;

/** Noto Sans (Latin, Greek, Cyrillic) first, Noto Sans JP (CJK) as the fallback. */
export function fonts(): Record<Script, Family> {
  cache ??= { latin: family('latin'), cjk: family('cjk') };
  return cache;
}

export interface Run {
  text: string;
  font: Script;
}

const covers = (font: FontObject, ch: string) => /\s/.test(ch) || font.hasGlyphForCodePoint(ch.codePointAt(0)!);

// The font of each character and the runs of each text, kept: certificates repeat most of both, and fontkit's cmap
// lookup is slow.
const fontOf = new BoundedMap<string, Run['font']>(10_000);
const runsOf = new BoundedMap<string, readonly Run[]>(TEXT_CACHE_CAPACITY);

function fontFor(ch: string): Run['font'] {
  return fontOf.remember(ch, () => {
    const { latin, cjk } = fonts();
    return covers(latin.regular, ch) || !covers(cjk.regular, ch) ? 'latin' : 'cjk';
  });
}

/** Splits text into runs by the first font that has each character; spaces stay with the run they are in. */
export function fontRuns(text: string): readonly Run[] {
  return runsOf.remember(text, () => {
    const split: Run[] = [];
    for (const ch of text) {
      const font = fontFor(ch);
      const last = split.at(-1);
      if (last && (last.font === font || /\s/.test(ch))) last.text += ch;
      else split.push({ text: ch, font });
    }
    return split;
  });
}

/** Characters neither font can draw: they would print as empty boxes. */
export function uncoveredCharacters(text: string): string[] {
  const { latin, cjk } = fonts();
  return [...new Set([...text].filter((ch) => !covers(latin.regular, ch) && !covers(cjk.regular, ch)))];
}
