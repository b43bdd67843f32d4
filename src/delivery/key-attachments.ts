import type { Attachment } from '../mail/compose.ts';
import type { FulfillmentDocument } from '../model.ts';

/** One attached file per device key of the document's key-in-email lines. */
export function keyAttachments(doc: FulfillmentDocument): Attachment[] {
  return doc.lines.flatMap((line) =>
    line.keys.map((k) => ({
      filename: `${k.licenseId}-${k.device}.lic`.replace(/[^A-Za-z0-9._-]/g, '_'),
      content: `${k.key}\n`,
      contentType: 'text/plain; charset=us-ascii',
    })),
  );
}
