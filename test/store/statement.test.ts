import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combined, runCombined } from '../../src/store/statement.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('combined statements', () => {
  it('numbers each part’s placeholders after the values of the parts before it', () => {
    const s = combined([
      { text: 'INSERT INTO a VALUES ($1, $2)', values: [1, 2] },
      { text: 'UPDATE b SET x = $2 WHERE id = $1 AND y = $10', values: ['id', 'x', 3, 4, 5, 6, 7, 8, 9, 10] },
    ]);
    expect(s.text).toBe(
      'WITH w0 AS (INSERT INTO a VALUES ($1, $2)),\nw1 AS (UPDATE b SET x = $4 WHERE id = $3 AND y = $12)\nSELECT 1',
    );
    expect(s.values).toEqual([1, 2, 'id', 'x', 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  describe('on PostgreSQL', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
      await t.db.exec('CREATE TABLE parent (id text PRIMARY KEY); CREATE TABLE child (id text REFERENCES parent(id))');
    });
    afterAll(async () => {
      await t?.drop();
    });
    const count = async (table: string) =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

    it('writes a row and one referencing it in one statement', async () => {
      await runCombined(t.db, [
        { text: 'INSERT INTO parent VALUES ($1)', values: ['p1'] },
        { text: 'INSERT INTO child VALUES ($1)', values: ['p1'] },
        undefined,
      ]);
      expect([await count('parent'), await count('child')]).toEqual([1, 1]);
    });

    it('writes nothing when any part fails', async () => {
      const write = runCombined(t.db, [
        { text: 'INSERT INTO parent VALUES ($1)', values: ['p2'] },
        { text: 'INSERT INTO child VALUES ($1)', values: ['nobody'] },
      ]);
      await expect(write).rejects.toMatchObject({ code: '23503' });
      expect(await t.db.query('SELECT id FROM parent WHERE id = $1', ['p2'])).toEqual([]);
    });
  });
});
