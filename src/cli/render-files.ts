import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalog } from '../catalog/catalog.ts';
import { renderCertificate } from '../certificate/render.ts';
import { loadConfig } from '../config.ts';
import { fulfillmentDelivery } from '../delivery/identity.ts';
import { deviceKeys } from '../delivery/issue-fulfillment-keys.ts';
import { fulfillmentAttachments, fulfillmentMessage } from '../email/fulfillment-message.ts';
import { createEmailRenderer } from '../email/render.ts';
import { documentsFromEvent } from '../entitlement/documents.ts';
import { InvalidInputError } from '../errors.ts';
import { parseEvent } from '../event/schema.ts';
import { validateAgainstCatalog } from '../intake/validate-against-catalog.ts';
import { loadSigningKey } from '../license/signing-keys.ts';
import { certificateFileName, composeMessage } from '../mail/compose.ts';
import { messageBuilder, writeAtomically } from '../mail/transport.ts';

/**
 * A recipient as a file name part: other characters percent-encoded (their UTF-8 bytes, `%` itself included), so two
 * addresses never give the same name (`a/b@x.example` → `a%2Fb@x.example`, `a_b@x.example` stays).
 */
export const safe = (s: string) =>
  s.replace(/[^A-Za-z0-9@._-]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

/** Writes every email (HTML, text, complete .eml) and certificate of an event to a folder; sends nothing. */
export async function renderEventFiles(file: string, outDir: string): Promise<string[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file} as JSON`, [{ path: '(file)', message: (error as Error).message }]);
  }
  const config = loadConfig();
  const catalog = loadCatalog();
  const event = parseEvent(json);
  validateAgainstCatalog(event, catalog);
  let signingKey: KeyObject;
  if (config.LICENSE_SIGNING_KEY) signingKey = loadSigningKey(config.LICENSE_SIGNING_KEY);
  else {
    signingKey = generateKeyPairSync('ed25519').privateKey;
    if (event.lines.some((l) => catalog.get(l.product)?.mode === 'key-in-email')) {
      process.stderr.write(
        'note: LICENSE_SIGNING_KEY is not set; keys in this preview are signed with a throwaway key\n',
      );
    }
  }
  // Built, keyed, rendered and composed by the functions the service uses, so the preview is what would be sent.
  const docs = documentsFromEvent(event, catalog, config.brand, (e) =>
    deviceKeys(e, catalog.get(e.product)!, e.shipDate, signingKey),
  );
  const emails = await createEmailRenderer();
  const builder = messageBuilder();
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, content: Buffer | string) => {
    await writeAtomically(join(outDir, name), content);
    written.push(name);
  };
  try {
    for (const doc of docs) {
      const pdf = await renderCertificate(doc);
      await write(certificateFileName(doc.fulfillment.certificateNumber), pdf);
      const attachments = fulfillmentAttachments(doc, pdf);
      for (const contact of doc.order.contacts) {
        const delivery = fulfillmentDelivery(doc.fulfillment.id, contact, config.mailFromAddress);
        const message = fulfillmentMessage(emails, doc, delivery, config.MAIL_FROM, attachments);
        const base = `${doc.fulfillment.certificateNumber}.${safe(delivery.recipient)}`;
        await write(`${base}.html`, message.html);
        await write(`${base}.txt`, message.text);
        await write(`${base}.eml`, (await builder.build(composeMessage(message))).raw);
      }
    }
  } finally {
    builder.close();
  }
  return written;
}
