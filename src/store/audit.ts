import type { Queryable } from './db.ts';
import type { Statement } from './statement.ts';

/** Who did what, when, to which order, with what outcome. Appended, never rewritten. */
export interface AuditEntry {
  actor: string;
  action: string;
  order?: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  /** Increasing: the cursor of the next page. */
  id: number;
  at: string;
}

/** The statement that appends `entry`, for a caller that writes it with the change it records (`combined`). */
export function auditInsert(entry: AuditEntry): Statement {
  return {
    text: 'INSERT INTO audit_log (actor, action, order_number, outcome, detail) VALUES ($1, $2, $3, $4, $5)',
    values: [entry.actor, entry.action, entry.order ?? null, entry.outcome, JSON.stringify(entry.detail ?? {})],
  };
}

export class AuditLog {
  constructor(private readonly db: Queryable) {}

  /** Appends `entry`; within `tx` when it records a change made in that transaction. */
  async record(entry: AuditEntry, tx: Queryable = this.db): Promise<void> {
    const { text, values } = auditInsert(entry);
    await tx.query(text, values);
  }

  /** Newest first, `limit` entries with ids below `before`; the last entry's id is the next cursor. */
  async read(options: { order?: string; limit: number; before?: number }): Promise<StoredAuditEntry[]> {
    const params: unknown[] = [options.limit];
    const where = [
      ...(options.order ? [`order_number = $${params.push(options.order)}`] : []),
      ...(options.before ? [`id < $${params.push(options.before)}`] : []),
    ];
    const rows = await this.db.query<{
      id: number;
      at: string;
      actor: string;
      action: string;
      order_number: string | null;
      outcome: string;
      detail: Record<string, unknown>;
    }>(
      `SELECT id, at, actor, action, order_number, outcome, detail FROM audit_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $1`,
      params,
      { planPerCall: true },
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      outcome: r.outcome,
      ...(r.order_number && { order: r.order_number }),
      detail: r.detail,
    }));
  }
}
