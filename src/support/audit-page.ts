import type { AuditLog, StoredAuditEntry } from '../store/audit.ts';

/** One page of the audit log, newest first; `next` (the last entry's id) is the cursor of the page after it. */
export async function auditPage(
  audit: AuditLog,
  query: { order?: string; limit: number; before?: number },
): Promise<{ entries: StoredAuditEntry[]; next?: number }> {
  const entries = await audit.read(query);
  return { entries, ...(entries.length === query.limit && { next: entries.at(-1)!.id }) };
}
