import { recordWebhookEvents } from './webhook-outbox.ts';
import type { OutboxEvent } from '../webhook-rules/events.ts';
import type { IssuedKey } from '../model.ts';
import type { Db, Queryable } from './db.ts';

export interface ActivationRecord {
  device: string;
  licenseId: string;
  at: string;
  sender: string;
  messageId?: string;
}

export type Claim =
  { device: string; outcome: 'issued' | 'existing'; key: IssuedKey } | { device: string; outcome: 'quantity-used-up' };

/** One inbound activation message as the store knows it. */
export interface InboundMessage {
  raw?: Buffer;
  decision?: unknown;
  replySentAt?: string;
  /** The reply was refused for good (5xx): the message is filed without one. */
  replyRefused?: string;
  folder?: string;
}

interface KeyRow {
  device: string;
  license_id: string;
  key_text: string;
  issued_on: string;
}

const keyFromRow = (r: KeyRow): IssuedKey => ({
  device: r.device,
  key: r.key_text,
  licenseId: r.license_id,
  issuedOn: r.issued_on,
});

async function keysOf(q: Queryable, ssrn: string): Promise<IssuedKey[]> {
  const rows = await q.query<KeyRow>(
    'SELECT device, license_id, key_text, issued_on FROM issued_keys WHERE ssrn = $1 ORDER BY device',
    [ssrn],
  );
  return rows.map(keyFromRow);
}

/** Signed keys issued per device, the activations by email, and the activation mailbox's messages. */
export class ActivationStore {
  constructor(private readonly db: Db) {}

  /** In device order. */
  issuedKeys(ssrn: string): Promise<IssuedKey[]> {
    return keysOf(this.db, ssrn);
  }

  /** Stores keys issued at fulfillment; a device that holds a key already keeps it. */
  async issueKeys(ssrn: string, keys: IssuedKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(
      `INSERT INTO issued_keys (ssrn, device, license_id, key_text, issued_on)
       SELECT $1, device, "licenseId", key, "issuedOn"
         FROM jsonb_to_recordset($2::jsonb) AS x(device text, "licenseId" text, key text, "issuedOn" date)
       ON CONFLICT (ssrn, device) DO NOTHING`,
      [ssrn, JSON.stringify(keys)],
    );
  }

  /**
   * Claims one unit of `quantity` per device, storing the offered key for devices that had none. The entitlement's row
   * is locked for the count and the inserts: two devices racing for the last unit cannot both win. A device that
   * already holds a key gets it back and uses no quantity.
   */
  claimKeys(ssrn: string, quantity: number, offers: IssuedKey[]): Promise<Claim[]> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM entitlements WHERE ssrn = $1 FOR UPDATE', [ssrn]);
      const held = new Map((await keysOf(tx, ssrn)).map((k) => [k.device, k]));
      const claims: Claim[] = [];
      for (const offer of offers) {
        const existing = held.get(offer.device);
        if (existing) claims.push({ device: offer.device, outcome: 'existing', key: existing });
        else if (held.size < quantity) {
          await tx.query(
            'INSERT INTO issued_keys (ssrn, device, license_id, key_text, issued_on) VALUES ($1, $2, $3, $4, $5)',
            [ssrn, offer.device, offer.licenseId, offer.key, offer.issuedOn],
          );
          held.set(offer.device, offer);
          claims.push({ device: offer.device, outcome: 'issued', key: offer });
        } else claims.push({ device: offer.device, outcome: 'quantity-used-up' });
      }
      return claims;
    });
  }

  /** Records device claims with their webhook events (activation.issued), in one transaction. */
  async recordActivations(ssrn: string, records: ActivationRecord[], events: OutboxEvent[] = []): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction(async (tx) => {
      await this.insertActivations(tx, ssrn, records);
      await recordWebhookEvents(tx, events);
    });
  }

  private async insertActivations(tx: Queryable, ssrn: string, records: ActivationRecord[]): Promise<void> {
    await tx.query(
      `INSERT INTO activations (ssrn, device, license_id, at, sender, message_id)
       SELECT $1, device, "licenseId", at, sender, "messageId" FROM jsonb_to_recordset($2::jsonb)
         AS x(device text, "licenseId" text, at timestamptz, sender text, "messageId" text)
       ON CONFLICT (ssrn, device) DO NOTHING`,
      [ssrn, JSON.stringify(records)],
    );
  }

  async activations(ssrn: string): Promise<ActivationRecord[]> {
    const rows = await this.db.query<{
      device: string;
      license_id: string;
      at: string;
      sender: string;
      message_id: string | null;
    }>('SELECT device, license_id, at, sender, message_id FROM activations WHERE ssrn = $1 ORDER BY at, device', [
      ssrn,
    ]);
    return rows.map((r) => ({
      device: r.device,
      licenseId: r.license_id,
      at: r.at,
      sender: r.sender,
      ...(r.message_id && { messageId: r.message_id }),
    }));
  }

  /** Keeps a message handed on by the mailbox watcher until it is answered; a second hand-off changes nothing. */
  async receiveMessage(uidValidity: string, uid: number, raw: Buffer, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO inbound_messages (uid_validity, uid, raw, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (uid_validity, uid) DO NOTHING`,
      [uidValidity, uid, raw, at.toISOString()],
    );
  }

  async message(uidValidity: string, uid: number): Promise<InboundMessage | undefined> {
    const [row] = await this.db.query<{
      raw: Buffer | null;
      decision: unknown;
      reply_sent_at: string | null;
      reply_refused: string | null;
      folder: string | null;
    }>(
      `SELECT raw, decision, reply_sent_at, reply_refused, folder FROM inbound_messages
       WHERE uid_validity = $1 AND uid = $2`,
      [uidValidity, uid],
    );
    if (!row) return undefined;
    return {
      ...(row.raw && { raw: row.raw }),
      ...(row.decision !== null && { decision: row.decision }),
      ...(row.reply_sent_at && { replySentAt: row.reply_sent_at }),
      ...(row.reply_refused && { replyRefused: row.reply_refused }),
      ...(row.folder && { folder: row.folder }),
    };
  }

  /** Stores the decision before the reply goes out, so that a retried job answers the same way. */
  async saveDecision(
    uidValidity: string,
    uid: number,
    decision: unknown,
    at: Date,
    events: OutboxEvent[] = [],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.insertDecision(tx, uidValidity, uid, decision, at);
      await recordWebhookEvents(tx, events);
    });
  }

  private async insertDecision(
    tx: Queryable,
    uidValidity: string,
    uid: number,
    decision: unknown,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO inbound_messages (uid_validity, uid, decision, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (uid_validity, uid) DO UPDATE SET decision = EXCLUDED.decision`,
      [uidValidity, uid, JSON.stringify(decision), at.toISOString()],
    );
  }

  async markReplySent(uidValidity: string, uid: number, at: Date): Promise<void> {
    await this.db.query('UPDATE inbound_messages SET reply_sent_at = $3 WHERE uid_validity = $1 AND uid = $2', [
      uidValidity,
      uid,
      at.toISOString(),
    ]);
  }

  async markReplyRefused(uidValidity: string, uid: number, reason: string): Promise<void> {
    await this.db.query('UPDATE inbound_messages SET reply_refused = $3 WHERE uid_validity = $1 AND uid = $2', [
      uidValidity,
      uid,
      reason.slice(0, 500),
    ]);
  }

  /**
   * The message's outcome is final: where it is filed, once (a later call keeps the first folder). Its raw text is no
   * longer needed and goes.
   */
  async file(uidValidity: string, uid: number, folder: string): Promise<void> {
    await this.db.query(
      'UPDATE inbound_messages SET folder = coalesce(folder, $3), raw = NULL WHERE uid_validity = $1 AND uid = $2',
      [uidValidity, uid, folder],
    );
  }

  async folder(uidValidity: string, uid: number): Promise<string | undefined> {
    const [row] = await this.db.query<{ folder: string | null }>(
      'SELECT folder FROM inbound_messages WHERE uid_validity = $1 AND uid = $2',
      [uidValidity, uid],
    );
    return row?.folder ?? undefined;
  }

  /** Messages handed on but not answered yet: what the reconciler re-queues. */
  async unfiled(limit: number): Promise<Array<{ uidValidity: string; uid: number }>> {
    const rows = await this.db.query<{ uid_validity: string; uid: number }>(
      'SELECT uid_validity, uid FROM inbound_messages WHERE folder IS NULL ORDER BY received_at LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ uidValidity: r.uid_validity, uid: r.uid }));
  }
}
