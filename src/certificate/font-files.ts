import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { projectFile } from '../project-files.ts';

// The certificate's fonts, in the order a character looks for one: the first face that has it draws it. Noto Sans and
// Noto Sans JP cover most orders; each further face is read only when a document has a character that needs it.
// Korean and Chinese come in one weight only, bold text in those scripts prints regular: two weights of each would be
// more than a worker's memory allows for fonts (30 MB).

export type Weight = 'regular' | 'bold';

const expo = (family: string, file: string) => `@expo-google-fonts/${family}/${file}`;
const pair = (family: string, name: string) => ({
  regular: expo(family, `400Regular/${name}_400Regular.ttf`),
  bold: expo(family, `700Bold/${name}_700Bold.ttf`),
});
const single = (family: string, name: string) => ({
  regular: expo(family, `400Regular/${name}_400Regular.ttf`),
  bold: expo(family, `400Regular/${name}_400Regular.ttf`),
});

/** The fonts as published, by package: the files the certificate draws from, or those its subsets are made from. */
export const FONT_FILES = {
  latin: pair('noto-sans', 'NotoSans'),
  cjk: pair('noto-sans-jp', 'NotoSansJP'),
  // Noto Naskh Arabic, not Noto Sans Arabic: that one draws letters as shared dotless forms plus dots, which leaves
  // the text layer no way to tell ش from س.
  arabic: {
    regular: '@embedpdf/fonts-arabic/fonts/NotoNaskhArabic-Regular.ttf',
    bold: '@embedpdf/fonts-arabic/fonts/NotoNaskhArabic-Bold.ttf',
  },
  hebrew: {
    regular: '@embedpdf/fonts-hebrew/fonts/NotoSansHebrew-Regular.ttf',
    bold: '@embedpdf/fonts-hebrew/fonts/NotoSansHebrew-Bold.ttf',
  },
  thai: pair('noto-sans-thai', 'NotoSansThai'),
  devanagari: pair('noto-sans-devanagari', 'NotoSansDevanagari'),
  korean: single('noto-sans-kr', 'NotoSansKR'),
  simplified: single('noto-sans-sc', 'NotoSansSC'),
  traditional: single('noto-sans-tc', 'NotoSansTC'),
  emoji: pair('noto-emoji', 'NotoEmoji'),
  /** Codes and SSRNs: a monospaced face whose 0 and O, 1, l and I differ. ASCII only; other characters fall back. */
  mono: {
    regular: '@fontsource/noto-sans-mono/files/noto-sans-mono-latin-400-normal.woff',
    bold: '@fontsource/noto-sans-mono/files/noto-sans-mono-latin-700-normal.woff',
  },
} as const satisfies Record<string, Record<Weight, string>>;

export type Face = keyof typeof FONT_FILES;

/** The faces text falls back through, in order (mono is chosen by the caller for codes). */
export const TEXT_FACES: readonly Face[] = [
  'latin',
  'cjk',
  'arabic',
  'hebrew',
  'thai',
  'devanagari',
  'korean',
  'simplified',
  'traditional',
  'emoji',
];

/**
 * Faces drawn from subsets of their published files, kept in templates/fonts/ (written by scripts/font-subsets.ts):
 * they come after Noto Sans JP, so each draws only what the faces before it lack, and a font in use is held whole in
 * memory (fontkit reads it at random), so a subset is what a worker holds. Noto Emoji is not cut: the faces before
 * it have few emoji, so nearly all of it would stay.
 */
export const SUBSET_FACES: readonly Face[] = ['korean', 'simplified', 'traditional'];

/** Where the subset of a published font file is kept, in the project. */
export const subsetPath = (file: string) => `templates/fonts/${basename(file)}`;

const require = createRequire(import.meta.url);

/**
 * Where a font file is installed. Resolved by package folder, not through the package's `exports`: some font packages
 * export only their script or stylesheet, not their font files.
 */
export function fontPath(file: string): string {
  const parts = file.split('/');
  const name = parts.slice(0, 2).join('/');
  for (const dir of require.resolve.paths(name) ?? []) {
    const path = join(dir, file);
    if (existsSync(path)) return path;
  }
  throw new Error(`font file ${file} is not installed`);
}

/** The published file of the face in that weight. */
export const publishedFontFile = (face: Face, weight: Weight) => fontPath(FONT_FILES[face][weight]);

/** The file the certificate draws the face from in that weight: its subset, or the published file. */
export function fontFile(face: Face, weight: Weight): string {
  const file = FONT_FILES[face][weight];
  return SUBSET_FACES.includes(face) ? projectFile(subsetPath(file)) : fontPath(file);
}
