import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../src/store/db.ts';
import { NoticeStore } from '../../src/store/notices.ts';
import { testServiceEnv, type TestService } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { insertOrder } from '../support/notice-fixtures.ts';

let service: TestService;
let db: Db;

beforeAll(async () => {
  service = await testServiceEnv();
  db = connectPostgres(service.env.DATABASE_URL!, { max: 2 });
  await insertOrder(db, {
    number: '50000001',
    contacts: [{ email: 'ana@example.com' }, { email: 'bo@example.com' }],
    lines: [{ ssrn: 'SSRNCLI000001', shipDate: '2026-01-15' }],
  });
});
afterAll(async () => {
  await db.close();
  await service.cleanUp();
});

describe('license-courier reminders', () => {
  it('--dry-run lists what would go out on a date and changes nothing; without it, records and queues', async () => {
    const dry = await runCli(['reminders', '--date', '2026-10-17', '--dry-run'], service.env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 notice messages would go out for 2026-10-17 (dry run: nothing recorded or queued)');
    expect(dry.stdout).toMatch(/50000001\s+reminder-90\s+ana@example\.com\s+SSRNCLI000001/);
    expect(dry.stdout).toMatch(/50000001\s+reminder-90\s+bo@example\.com\s+SSRNCLI000001/);
    const store = new NoticeStore(db);
    expect(await store.forOrder('50000001')).toEqual([]);
    const real = await runCli(['reminders', '--date', '2026-10-17'], service.env);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('2 notice messages recorded and 2 queued for 2026-10-17');
    expect((await store.forOrder('50000001')).map((d) => [d.recipient, d.status])).toEqual([
      ['ana@example.com', 'queued'],
      ['bo@example.com', 'queued'],
    ]);
    const again = await runCli(['reminders', '--date', '2026-10-17'], service.env);
    expect(again.stdout).toContain('0 notice messages recorded and 0 queued for 2026-10-17');
    // Three start-ups of the command line, each some seconds on a loaded machine.
  }, 180_000);

  it('a bad date exits 2 naming --date', async () => {
    const bad = await runCli(['reminders', '--date', '2026-02-30'], service.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--date: must be a calendar date, YYYY-MM-DD');
  });
});
