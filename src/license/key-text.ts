import { base32Decode, base32Encode } from './base32.ts';
import { KeyFormatError } from './errors.ts';

// The printed form of a key, as vendor keys look: the license ID on its own line, then base32 in groups of five,
// six groups a line.
const GROUP = 5;
const GROUPS_PER_LINE = 6;
export const ID_PREFIX = 'LC';
export const ID_LENGTH = 12;

export function formatKeyText(licenseId: string, payload: Buffer): string {
  const groups = base32Encode(payload).match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += GROUPS_PER_LINE) lines.push(groups.slice(i, i + GROUPS_PER_LINE).join(' '));
  return [licenseId, ...lines].join('\n');
}

/**
 * Reads the printed form back as pasted from an email: quote markers ("> "), `-----` marker lines, `#` comment lines,
 * line breaks, spaces, dashes, stray quotes and letter case do not matter.
 */
export function parseKeyText(text: string): { licenseId: string; payload: Buffer } {
  const cleaned = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/^\s*(>\s*)+/, ''))
    .filter((line) => !/^\s*(-{3,}|#)/.test(line))
    .join('')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  if (!cleaned.startsWith(ID_PREFIX))
    throw new KeyFormatError('this is not a license key: it must start with the license ID (LC…)');
  const payload = base32Decode(cleaned.slice(ID_LENGTH));
  if (!payload) throw new KeyFormatError('the key is damaged: it holds characters or a length that a key cannot have');
  return { licenseId: cleaned.slice(0, ID_LENGTH), payload };
}
