import { keyFileContent, keyFileName } from './key-file.ts';
import type { Attachment } from '../mail/attachment-part.ts';
import type { Entitlement, IssuedKey } from '../model.ts';

/** One attached `.lic` file per device key, with comment lines saying what the key is for. */
export function keyAttachments(
  entitlement: Pick<Entitlement, 'ssrn' | 'product' | 'startDate' | 'endDate'>,
  keys: IssuedKey[],
): Attachment[] {
  return keys.map((k) => ({
    filename: keyFileName(k),
    content: keyFileContent(k, entitlement),
    contentType: 'text/plain; charset=us-ascii',
  }));
}
