import type { Attachment } from '../mail/compose.ts';
import type { IssuedKey } from '../model.ts';

/** One attached file per device key. */
export function keyAttachments(keys: IssuedKey[]): Attachment[] {
  return keys.map((k) => ({
    filename: `${k.licenseId}-${k.device}.lic`.replace(/[^A-Za-z0-9._-]/g, '_'),
    content: `${k.key}\n`,
    contentType: 'text/plain; charset=us-ascii',
  }));
}
