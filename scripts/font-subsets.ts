// Writes templates/fonts/: the subsets of the published font files the certificate draws some faces from
// (SUBSET_FACES in src/certificate/font-files.ts), each to the characters that face can be asked to draw. Run it after
// changing a font package, then scripts/font-coverage.ts: `npx tsx scripts/font-subsets.ts`. It needs fontTools'
// pyftsubset (Debian: apt-get install fonttools). test/certificate/font-subsets.test.ts fails until then.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FONT_FILES, fontPath, publishedFontFile, SUBSET_FACES, subsetPath } from '../src/certificate/font-files.ts';
import { publishedFaceOf, subsetSelection } from '../src/certificate/subset-selection.ts';
import { projectFile } from '../src/project-files.ts';

// Everything but the glyphs of characters the face never draws: every layout feature (GSUB/GPOS), the outline of the
// missing glyph (each PDF subset embeds it), the name table (copyright and licence), the bounding boxes and
// timestamps as published. The hinting stays too: these fonts have none beyond an empty program.
const OPTIONS = [
  '--layout-features=*',
  '--notdef-outline',
  '--name-IDs=*',
  '--name-languages=*',
  '--no-prune-unicode-ranges',
];

const faceOf = publishedFaceOf();
const dir = mkdtempSync(join(tmpdir(), 'lc-font-subsets-'));
for (const face of SUBSET_FACES) {
  for (const weight of ['regular', 'bold'] as const) {
    if (weight === 'bold' && FONT_FILES[face].bold === FONT_FILES[face].regular) continue;
    const { characters, glyphs } = subsetSelection(face, weight, faceOf);
    const list = join(dir, `${face}-${weight}.txt`);
    writeFileSync(list, characters.map((c) => c.toString(16)).join('\n'));
    const out = projectFile(subsetPath(FONT_FILES[face][weight]));
    const selection = [`--unicodes-file=${list}`, `--gids=${glyphs.join(',')}`];
    execFileSync('pyftsubset', [publishedFontFile(face, weight), ...selection, `--output-file=${out}`, ...OPTIONS]);
    console.log(`wrote ${out}`);
  }
  // The SIL Open Font License lets modified versions be redistributed under it, with its text: beside each subset.
  const pkg = FONT_FILES[face].regular.split('/').slice(0, 2).join('/');
  copyFileSync(fontPath(`${pkg}/LICENSE_FONT`), projectFile(`templates/fonts/${pkg.split('/')[1]}.OFL.txt`));
}
