import type { Queryable } from './db.ts';

/** One SQL statement with its values, numbered from $1. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Writes that belong together as one statement: each becomes a data-modifying WITH part. PostgreSQL runs every part
 * exactly once, sees one snapshot and commits them together or not at all, and checks foreign keys at the end of the
 * statement, so a part may reference a row another part inserts. One statement instead of a transaction of several
 * saves a round trip per write plus BEGIN and COMMIT, which is most of what a short write costs both sides.
 * The repositories' SQL holds `$` only in placeholders (no dollar-quoted strings), which the renumbering relies on.
 * `result` is what the statement answers; it may read the parts' RETURNING rows as w0, w1, ...
 */
export function combined(parts: Statement[], result = 'SELECT 1'): Statement {
  const values: unknown[] = [];
  const withParts = parts.map((part, i) => {
    const offset = values.length;
    values.push(...part.values);
    return `w${i} AS (${part.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { text: `WITH ${withParts.join(',\n')}\n${result}`, values };
}

/** Runs statements as one (see `combined`); nothing when there are none. */
export async function runCombined(db: Queryable, parts: Array<Statement | undefined>): Promise<void> {
  const present = parts.filter((p): p is Statement => p !== undefined);
  if (present.length === 1) await db.query(present[0]!.text, present[0]!.values);
  else if (present.length > 1) {
    const { text, values } = combined(present);
    await db.query(text, values);
  }
}
