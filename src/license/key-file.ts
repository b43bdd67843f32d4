import type { IssuedKey } from '../model.ts';
import type { KeyFields } from './key.ts';

/** `<licenseId>-<device>.lic`, with anything but letters, digits, dot, dash and underscore replaced. */
export function keyFileName(k: IssuedKey): string {
  return `${k.licenseId}-${k.device}.lic`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The attached file: `#` comment lines saying what the key is for (verify-key and decodeKey skip them), then the key.
 * ASCII only, so no mail client or editor can mangle it.
 */
export function keyFileContent(
  k: IssuedKey,
  fields: Pick<KeyFields, 'ssrn' | 'product' | 'startDate' | 'endDate'>,
): string {
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
  return [
    `# License key ${k.licenseId} for device ${ascii(k.device)}`,
    `# Product ${ascii(fields.product)}, SSRN ${ascii(fields.ssrn)}, ` +
      `valid ${fields.startDate} to ${fields.endDate ?? '(perpetual)'}, issued ${k.issuedOn}`,
    k.key,
    '',
  ].join('\n');
}
