import { LRUCache } from 'lru-cache';
import type { Catalog } from '../catalog/catalog.ts';
import { fulfillmentAttachments } from '../email/fulfillment-message.ts';
import { attachmentPart } from '../mail/attachment-part.ts';
import type { Brand, FulfillmentDocument } from '../model.ts';
import type { DocumentRecords } from '../store/fulfillments.ts';
import { assembleDocument, onlyLines, type DocumentStores } from './load-document.ts';

/** What every message of one fulfillment shares: the document the email renders from, and the encoded attachments. */
export interface PreparedFulfillment {
  doc: FulfillmentDocument;
  /** The certificate, then one key file per issued key, each a finished MIME part. */
  parts: Buffer[];
}

export interface PrepareDeps extends DocumentStores {
  catalog: Catalog;
  brand: Brand;
  renderCertificate(doc: FulfillmentDocument): Promise<Buffer>;
}

/** The parts every message of the fulfillment attaches: the certificate, then the key files. */
function withParts(doc: FulfillmentDocument, certificate: Buffer): PreparedFulfillment {
  return { doc, parts: fulfillmentAttachments(doc, certificate).map(attachmentPart) };
}

/** `ssrns` narrows the lines (a resend of chosen lines); undefined when the fulfillment's records are gone. */
export async function prepareFulfillment(
  deps: PrepareDeps,
  fulfillmentId: string,
  ssrns?: string[],
): Promise<PreparedFulfillment | undefined> {
  const shipment = await deps.fulfillments.shipment(fulfillmentId);
  if (!shipment) return undefined;
  const assemble = (records: DocumentRecords) =>
    assembleDocument(deps, deps.catalog, deps.brand, shipment.fulfillment, records);
  const doc = await assemble(ssrns ? onlyLines(shipment, ssrns) : shipment);
  if (!doc) return undefined;
  // A resend of chosen lines still attaches the whole fulfillment's certificate: the same bytes as the first time.
  const pdf =
    shipment.certificate ??
    (await deps.fulfillments.saveCertificate(
      fulfillmentId,
      await deps.renderCertificate(ssrns ? ((await assemble(shipment)) ?? doc) : doc),
    ));
  return withParts(doc, pdf);
}

export interface PreparedFulfillments {
  get(fulfillmentId: string, ssrns?: string[]): Promise<PreparedFulfillment | undefined>;
  /**
   * Remembers a fulfillment whose document and certificate the caller holds: the fan-out has both in hand, and the
   * sends this process takes then need neither from the database.
   */
  prime(doc: FulfillmentDocument, certificate: Buffer): void;
}

/**
 * prepareFulfillment, remembered in this process: the recipients of a fulfillment are sent one job each, and loading
 * and encoding once for all of them instead of per message is most of what a send costs. Safe because a fulfillment's
 * records, keys and certificate never change once fanned out; correctness never depends on a hit (every entry can be
 * rebuilt from the database), so several worker processes each keep their own. Bounded by the bytes of the encoded
 * parts it holds; the time limit only frees memory held for fulfillments whose sends are done. Callers asking for the
 * same entry at once share one load; a load that fails or finds nothing is not kept.
 */
export function preparedFulfillments(
  deps: PrepareDeps,
  options = { maxBytes: 8 * 1048576, ttlMs: 10 * 60_000 },
): PreparedFulfillments {
  const cache = new LRUCache<string, PreparedFulfillment, { id: string; ssrns?: string[] }>({
    maxSize: options.maxBytes,
    sizeCalculation: (p) => p.parts.reduce((bytes, part) => bytes + part.length, 0),
    ttl: options.ttlMs,
    fetchMethod: (_key, _stale, { context }) => prepareFulfillment(deps, context.id, context.ssrns),
  });
  return {
    get: (id, ssrns) => {
      const key = ssrns ? `${id} ${ssrns.join(' ')}` : id;
      return cache.fetch(key, { context: { id, ...(ssrns && { ssrns }) } });
    },
    prime: (doc, certificate) => void cache.set(doc.fulfillment.id, withParts(doc, certificate)),
  };
}
