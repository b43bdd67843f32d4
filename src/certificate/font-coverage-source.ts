import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import { FONT_FILES, fontFile, type Face, type Weight } from './font-files.ts';

/**
 * A face's characters as [gap, length] pairs:
 * the first range starts `gap` after 0, each next one after the last end.
 */
export type Ranges = number[];

function characters(path: string): Set<number> {
  return new Set(fontkit.create(readFileSync(path)).characterSet);
}

/**
 * What each face's font files draw, in both weights: read from the files the certificate draws from (or others, such
 * as the published files of the subsets), for scripts/font-coverage.ts and the tests.
 */
export function fontCoverage(file: (face: Face, weight: Weight) => string = fontFile): Record<Face, Ranges> {
  const coverage = {} as Record<Face, Ranges>;
  for (const face of Object.keys(FONT_FILES) as Face[]) {
    const bold = characters(file(face, 'bold'));
    const both = [...characters(file(face, 'regular'))].filter((c) => bold.has(c)).sort((a, b) => a - b);
    const ranges: Ranges = [];
    let end = 0;
    for (let i = 0; i < both.length;) {
      let j = i;
      while (j + 1 < both.length && both[j + 1] === both[j]! + 1) j++;
      ranges.push(both[i]! - end, j - i + 1);
      end = both[j]! + 1;
      i = j + 1;
    }
    coverage[face] = ranges;
  }
  return coverage;
}
