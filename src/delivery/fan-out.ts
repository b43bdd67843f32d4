import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { todayIn } from '../entitlement/dates.ts';
import type { Brand, Entitlement, Fulfillment, FulfillmentDocument } from '../model.ts';
import { assembleDocument, type DocumentStores } from './load-document.ts';

export interface FanOutDeps extends DocumentStores {
  catalog: Catalog;
  brand: Brand;
  clock: Clock;
  timeZone: string;
  renderCertificate(doc: FulfillmentDocument): Promise<Buffer>;
  /** Issues (idempotently) the keys of the fulfillment's key-in-email lines before anything is rendered. */
  issueFulfillmentKeys(fulfillment: Fulfillment, entitlements: Entitlement[]): Promise<void>;
  /** Queues one send job per delivery id; idempotent by id. */
  enqueueSends(deliveryIds: string[]): Promise<void>;
  /** Hands the document and the certificate just rendered to this process's sends (PreparedFulfillments.prime). */
  rendered?(doc: FulfillmentDocument, certificate: Buffer): void;
}

export type FanOutOutcome = 'done' | 'not-due' | 'missing';

/**
 * Ships one fulfillment: keys first, then the certificate rendered once and stored with the fulfillment marked fanned
 * out, then one send job per recipient still to be sent. Every step is idempotent, so a crash anywhere is healed by
 * running it again.
 */
export async function fanOut(deps: FanOutDeps, fulfillmentId: string): Promise<FanOutOutcome> {
  const shipment = await deps.fulfillments.shipment(fulfillmentId);
  if (!shipment) return 'missing';
  const { fulfillment, openDeliveries } = shipment;
  if (!fulfillment.fannedOutAt) {
    // A clock running behind on another machine, or a manual promote, must not ship a line before its date.
    if (todayIn(deps.timeZone, deps.clock.now()) < fulfillment.shipDate) return 'not-due';
    await deps.issueFulfillmentKeys(fulfillment, shipment.entitlements);
    let fresh: { doc: FulfillmentDocument; certificate: Buffer } | undefined;
    if (!shipment.certificate) {
      const doc = await assembleDocument(deps, deps.catalog, deps.brand, fulfillment, shipment);
      if (!doc) return 'missing';
      fresh = { doc, certificate: await deps.renderCertificate(doc) };
    }
    const scheduled = openDeliveries.filter((d) => d.status === 'scheduled').map((d) => d.id);
    // What was stored first, should another worker have raced this one: every message attaches the same bytes.
    const stored = await deps.fulfillments.markFannedOut(fulfillmentId, {
      certificate: fresh?.certificate,
      scheduled,
      at: deps.clock.now(),
    });
    if (fresh && stored) deps.rendered?.(fresh.doc, stored);
  }
  // Run again (its job retried, or the reconciler's racing its end), it queues what is still open once more: a job
  // still queued stays one job, and one lost between the commit above and here is queued anew.
  await deps.enqueueSends(openDeliveries.map((d) => d.id));
  return 'done';
}
