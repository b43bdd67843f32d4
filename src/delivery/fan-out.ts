import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { todayIn } from '../entitlement/dates.ts';
import type { Brand, Entitlement, Fulfillment, FulfillmentDocument } from '../model.ts';
import type { DeliveryStore } from '../store/deliveries.ts';
import { assembleDocument, type DocumentStores } from './load-document.ts';

export interface FanOutDeps extends DocumentStores {
  deliveries: DeliveryStore;
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
 * Ships one fulfillment: keys first, then the certificate rendered once and stored, then one send job per recipient.
 * Every step is idempotent, so a crash anywhere is healed by running it again.
 */
export async function fanOut(deps: FanOutDeps, fulfillmentId: string): Promise<FanOutOutcome> {
  const shipment = await deps.fulfillments.shipment(fulfillmentId);
  if (!shipment) return 'missing';
  const { fulfillment } = shipment;
  // Its last step is done, so every one before it is: a second job for it (the reconciler's, racing its finish) stops.
  if (fulfillment.fannedOutAt) return 'done';
  // A clock running behind on another machine, or a manual promote, must not ship a line before its date.
  if (todayIn(deps.timeZone, deps.clock.now()) < fulfillment.shipDate) return 'not-due';

  // Steps that do not depend on each other go together.
  const [deliveries] = await Promise.all([
    deps.deliveries.forFulfillment(fulfillmentId),
    deps.issueFulfillmentKeys(fulfillment, shipment.entitlements),
  ]);
  if (!shipment.certificate) {
    const doc = await assembleDocument(deps, deps.catalog, deps.brand, fulfillment, shipment);
    if (!doc) return 'missing';
    // What was stored first, should another worker have raced this one: every message attaches the same bytes.
    // Stored whether or not a cache takes it (an optional call would skip evaluating its arguments).
    const certificate = await deps.fulfillments.saveCertificate(fulfillmentId, await deps.renderCertificate(doc));
    deps.rendered?.(doc, certificate);
  }

  const open = deliveries.filter((d) => d.status === 'scheduled' || d.status === 'queued');
  const now = deps.clock.now();
  await deps.deliveries.markQueued(
    open.filter((d) => d.status === 'scheduled').map((d) => d.id),
    now,
  );
  await deps.enqueueSends(open.map((d) => d.id));
  await deps.fulfillments.markFannedOut(fulfillmentId, now);
  return 'done';
}
