import type { SalesOrder } from '../model.ts';
import type { Db } from './db.ts';
import type { Statement } from './statement.ts';

/**
 * The statements that create the order or bring it up to the latest event's details; accounts and contacts are added,
 * never dropped.
 */
export function upsertOrder(order: SalesOrder, at: string): Statement[] {
  return [
    {
      text: `INSERT INTO orders (number, po_number, end_customer, locale, record, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (number) DO UPDATE SET po_number = EXCLUDED.po_number, end_customer = EXCLUDED.end_customer,
       locale = EXCLUDED.locale, record = EXCLUDED.record, updated_at = EXCLUDED.updated_at`,
      values: [
        order.number,
        order.poNumber ?? null,
        JSON.stringify(order.endCustomer),
        order.locale,
        JSON.stringify(order),
        at,
      ],
    },
    {
      text: `INSERT INTO order_accounts (order_number, account_id, role, name)
     SELECT $1, id, role, name FROM jsonb_to_recordset($2::jsonb) AS x(id text, role text, name text)
     ON CONFLICT (order_number, account_id) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name`,
      values: [order.number, JSON.stringify(order.accounts)],
    },
    {
      text: `INSERT INTO contacts (order_number, email, name, role, account_id)
     SELECT $1, lower(email), name, role, "accountId"
       FROM jsonb_to_recordset($2::jsonb) AS x(email text, name text, role text, "accountId" text)
     ON CONFLICT (order_number, email)
       DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, account_id = EXCLUDED.account_id`,
      values: [order.number, JSON.stringify(order.contacts)],
    },
  ];
}

export class OrderStore {
  constructor(private readonly db: Db) {}

  /** The sales order as last accepted. */
  async get(number: string): Promise<SalesOrder | undefined> {
    const [row] = await this.db.query<{ record: SalesOrder }>('SELECT record FROM orders WHERE number = $1', [number]);
    return row?.record;
  }
}
