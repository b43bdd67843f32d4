import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../src/entitlement/dates.ts';
import { spawnService, type ChildService } from '../support/child-service.ts';
import { insertDueOrders } from '../support/notice-fixtures.ts';
import { startPipeline, type TestPipeline } from '../support/pipeline.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

// A worker process killed in the middle of the daily sweep, between recording one batch of notice deliveries and the
// next, and another worker taking over: every due notice reaches every contact once, nothing twice.

/** More orders than one recording batch of the sweep holds (2,000 deliveries), two contacts each. */
const ORDERS = 1100;
const REMINDER_FROM = 'renewals@courier.example';

let pipeline: TestPipeline | undefined;
let sink: SmtpSink | undefined;
let latch: pg.Client | undefined;
const children: ChildService[] = [];

afterAll(async () => {
  for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  await latch?.end().catch(() => undefined);
  await pipeline?.close();
  await sink?.close();
});

/** A zone where it is about noon now: the workers' real clock cannot cross midnight while the test runs. */
function zoneNearNoon(): string {
  const ahead = 12 - new Date().getUTCHours();
  return ahead === 0 ? 'Etc/GMT' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a worker killed mid-sweep', () => {
  it('another worker finishes the sweep: every due notice reaches every contact exactly once', async () => {
    sink = await startSmtpSink();
    pipeline = await startPipeline({}, { workers: false });
    const p = pipeline;
    const timeZone = zoneNearNoon();
    const env = {
      ...p.env,
      SMTP_URL: sink.url,
      FULFILLMENT_TZ: timeZone,
      REMINDER_FROM: `Renewals <${REMINDER_FROM}>`,
      SEND_RATE_PER_SECOND: '1000',
      LOG_LEVEL: 'info',
    };
    const orders = await insertDueOrders(p.ctx.db, ORDERS, todayIn(timeZone, new Date()), 'K');
    const total = ORDERS * 2;
    const recorded = async () =>
      (await p.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notice_deliveries'))[0]!.n;

    // The kill is to land in the sweep alone: no send is in flight (a notice whose worker dies talking to SMTP is
    // never sent again, by design), so the send queue holds its jobs until the second worker runs.
    await p.ctx.queues.send.pause();
    // A latch, not a timing: a claim of the last order's notice held in an open transaction makes the sweep's second
    // batch wait for it, so the first worker is killed with the first batch recorded and the rest not. Rolled back.
    latch = new pg.Client({ connectionString: p.env.DATABASE_URL });
    await latch.connect();
    await latch.query('BEGIN');
    await latch.query(
      "INSERT INTO notice_claims (ssrn, notice, recipient, delivery_id) VALUES ($1, 'reminder-30', $2, 'latch')",
      [orders.at(-1)!.ssrn, orders.at(-1)!.contacts[1]],
    );

    const first = spawnService('worker', env);
    children.push(first);
    const before = await until('the first batch recorded', async () => (await recorded()) || undefined, 120_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(total);
    expect(await p.ctx.notices.sweptThrough()).toBeUndefined();
    await latch.query('ROLLBACK');

    const second = spawnService('worker', env);
    children.push(second);
    await p.ctx.queues.send.resume();
    await sink.waitFor(total, 240_000);
    // The killed worker's sweep job is taken over once its lock expires, and sweeps again: it must add nothing.
    await until(
      'the killed sweep to be taken over and finished',
      async () => {
        const c = await p.ctx.queues.noticeSweep.getJobCounts('active', 'waiting', 'prioritized', 'failed');
        return Object.values(c).every((n) => n === 0) ? true : undefined;
      },
      240_000,
    );
    await p.idle(60_000);

    expect(sink.messages).toHaveLength(total);
    const byRecipient = new Map(sink.messages.map((m) => [m.to.join(','), m]));
    expect(byRecipient.size).toBe(total);
    for (const o of orders) {
      for (const contact of o.contacts) {
        const m = byRecipient.get(contact);
        expect(m, contact).toBeDefined();
        expect(m!.from).toBe(REMINDER_FROM);
        expect(m!.parsed.subject).toMatch(/^Renewal reminder/);
        expect(m!.parsed.text).toContain(o.ssrn);
      }
    }
    expect(new Set(sink.messages.map((m) => m.parsed.messageId)).size).toBe(total);
    const rows = await p.ctx.db.query<{ status: string; attempts: number; n: number }>(
      'SELECT status, attempts, count(*)::int AS n FROM notice_deliveries GROUP BY status, attempts',
    );
    expect(rows).toEqual([{ status: 'sent', attempts: 1, n: total }]);

    const running = async () => second.output().includes('license-courier running') || undefined;
    await until('the second worker to run', running, 60_000);
    second.process.kill('SIGTERM');
    expect(await second.exited, second.output().slice(-3000)).toBe(0);
  }, 600_000);
});
