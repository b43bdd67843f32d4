import bidiJs from 'bidi-js';

// pdfkit draws text left to right, word by word, and fontkit lays each right-to-left word out in visual order. So a
// paragraph with right-to-left text is handed to pdfkit in visual order of its words: the Unicode Bidirectional
// Algorithm (bidi-js) resolves each character's level in a left-to-right paragraph (the certificate's tables run left
// to right), runs are reordered as its rule L2 says, mirrored characters (brackets) swapped, and the words of each
// right-to-left run reversed, each word still in logical order for fontkit to shape (Arabic joining) and turn.

// bidi-js is CommonJS with `module.exports = factory`, typed as if the factory were an ES default export.
const bidi = (bidiJs as unknown as typeof bidiJs.default)();

/** Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms: without them a text is drawn as it is. */
const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

export const hasRightToLeft = (text: string) => RIGHT_TO_LEFT.test(text);

interface LevelRun {
  level: number;
  text: string;
}

function levelRuns(text: string): LevelRun[] {
  const { levels } = bidi.getEmbeddingLevels(text, 'ltr');
  const mirrored = bidi.getMirroredCharactersMap(text, levels);
  const runs: LevelRun[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = mirrored.get(i) ?? text[i]!;
    const last = runs.at(-1);
    if (last && last.level === levels[i]) last.text += ch;
    else runs.push({ level: levels[i]!, text: ch });
  }
  return runs;
}

/**
 * Rule L2 over runs: from the highest level down to the lowest odd one,
 * each stretch at that level or above reversed.
 */
function visualOrder(runs: LevelRun[]): LevelRun[] {
  const out = [...runs];
  const highest = Math.max(...out.map((r) => r.level));
  const lowestOdd = Math.min(...out.map((r) => r.level).filter((l) => l % 2 === 1));
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.level < level) continue;
      let j = i;
      while (j + 1 < out.length && out[j + 1]!.level >= level) j++;
      out.splice(i, j - i + 1, ...out.slice(i, j + 1).reverse());
      i = j;
    }
  }
  return out;
}

/**
 * The text as pdfkit should be given it to show it in reading order;
 * text without right-to-left characters as it is.
 */
export function forLeftToRightDrawing(text: string): string {
  if (!hasRightToLeft(text)) return text;
  return visualOrder(levelRuns(text))
    .map((run) => (run.level % 2 === 1 ? (run.text.match(/\s+|\S+/g) ?? []).reverse().join('') : run.text))
    .join('');
}
