// The domain records shared by rendering, the store, the queues and the API.
// Dates are ISO calendar dates (YYYY-MM-DD), never instants: an entitlement starts on a day, not at a moment.

export type IsoDate = string;

export type DeliveryMode = 'portal' | 'product-portal' | 'key-in-email' | 'email-activation';

export interface CatalogProduct {
  key: string;
  family: string;
  displayName: string;
  instructionsUrl: string;
  mode: DeliveryMode;
  /** Feature names written into signed keys (heritage modes). */
  features: string[];
  /** `product-portal`: the product's own portal, where its codes are entered (the URL is required for that mode). */
  portalName?: string;
  portalUrl?: string;
}

export interface Account {
  id: string;
  role: 'customer' | 'partner' | 'end-customer';
  name?: string;
}

export interface Contact {
  email: string;
  name?: string;
  role?: string;
}

export interface SalesOrder {
  number: string;
  poNumber?: string;
  accounts: Account[];
  endCustomer: { name: string; country?: string };
  contacts: Contact[];
  locale: string;
}

/** One fulfilled order line with its computed dates: the record support and the documents show. */
export interface Entitlement {
  orderNumber: string;
  eventId: string;
  lineNumber: string;
  sku: string;
  product: string;
  licenseName: string;
  description: string;
  quantity: number;
  licenseType: 'subscription' | 'perpetual';
  purchase: 'initial' | 'renewal';
  termMonths?: number;
  renewsSsrn?: string;
  activationCode: string;
  ssrn: string;
  shipDate: IsoDate;
  startDate: IsoDate;
  /** The day the entitlement expires; absent for perpetual licenses. */
  endDate?: IsoDate;
  /** Grace days included in endDate (30 for initial subscriptions, else 0). */
  graceDays: number;
  devices: string[];
}

/** A license key issued for one device of one entitlement. */
export interface IssuedKey {
  device: string;
  /** Text form as shown to the customer (license ID, then base32 groups over several lines). */
  key: string;
  licenseId: string;
  issuedOn: IsoDate;
}

/** The lines of one order that ship on the same date, delivered together in one email per recipient. */
export interface Fulfillment {
  id: string;
  eventId: string;
  orderNumber: string;
  shipDate: IsoDate;
  certificateNumber: string;
  /** SSRNs of the entitlements in this fulfillment, in line order. */
  ssrns: string[];
}

/** Everything the Fulfillment Email and the certificate are rendered from. Pure data: no I/O behind it. */
export interface FulfillmentDocument {
  fulfillment: Fulfillment;
  order: SalesOrder;
  lines: Array<{
    entitlement: Entitlement;
    product: CatalogProduct;
    /** Keys issued at fulfillment (`key-in-email` lines); empty otherwise. */
    keys: IssuedKey[];
  }>;
  brand: Brand;
}

export interface Brand {
  name: string;
  portalUrl: string;
  /** Where this service is reached from outside: certificates link to its verification page. */
  publicUrl: string;
  supportEmail: string;
  /** Where `email-activation` customers write; undefined when no activation mailbox is configured. */
  activationAddress?: string;
  paperSize: 'A4' | 'LETTER';
}

export type DeliveryStatus = 'scheduled' | 'queued' | 'sent' | 'retrying' | 'failed' | 'bounced';
