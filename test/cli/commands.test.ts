import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { testServiceEnv, type TestService } from '../support/app.ts';
import { makeEvent, rawExample } from '../support/events.ts';

/** Each test runs the CLI several times, a process each: seconds apiece on a busy machine. */
const CLI_TIMEOUT = 180_000;
let service: TestService;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'lc-cli-'));
beforeAll(async () => {
  service = await testServiceEnv();
  env = service.env;
});
afterAll(() => service.cleanUp());

/** The fixtures through the CLI, accepted now or by another test before: what a test reads back. */
async function enqueued(...names: string[]) {
  const r = await runCli(['enqueue', ...names.map((n) => `fixtures/orders/${n}.json`)], env);
  expect(r.code, r.stderr).toBe(0);
}

describe('the command line', () => {
  it(
    'enqueue validates and submits events; a replay is recognised; bad events exit 2 naming each field',
    async () => {
      // Events of this test's own, so that what other tests enqueue cannot make these "already accepted".
      const file = (name: string, events: unknown[]) => {
        writeFileSync(join(dir, name), events.map((e) => JSON.stringify(e)).join('\n'));
        return join(dir, name);
      };
      const [a, b] = [file('a.json', [makeEvent('cli-enqueue-a', 1)]), file('b.json', [makeEvent('cli-enqueue-b', 2)])];
      const first = await runCli(['enqueue', a, b], env);
      expect(first).toMatchObject({ code: 0, stdout: '2 accepted, 0 already accepted before, 0 rejected\n' });
      const again = await runCli(['enqueue', a], env);
      expect(again.stdout).toBe('0 accepted, 1 already accepted before, 0 rejected\n');
      const bad = {
        ...rawExample('order-heritage-de'),
        eventId: 'bad event',
        lines: [{ ...rawExample('order-heritage-de').lines[0], quantity: 0 }],
      };
      const refused = await runCli(['enqueue', file('bad.json', [bad])], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('eventId:');
      expect(refused.stderr).toContain('lines[0].quantity:');
      const many = file('many.ndjson', [makeEvent('cli-enqueue-c', 1), makeEvent('cli-enqueue-d', 1)]);
      expect((await runCli(['enqueue', many], env)).stdout).toBe('2 accepted, 0 already accepted before, 0 rejected\n');
    },
    CLI_TIMEOUT,
  );

  it(
    "status prints entitlements and every recipient's delivery; an unknown order exits 2",
    async () => {
      await enqueued('order-ex-srx', 'order-heritage-de');
      const status = await runCli(['status', '15563238'], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Sales order 15563238 (PO PO-7781-A), Acme Networks Ltd');
      expect(status.stdout).toMatch(
        /1\.1\s+S-EX-A-C1-3\s+4\s+SSRN4K7Q2M9X1A\s+hTq4Xe-P9dLm-Zw2RbK\s+2026-11-28\s+2029-12-28/,
      );
      expect(status.stdout).toMatch(/netops@acme\.example\s+queued/);
      expect(status.stdout).toMatch(/licensing@northwind\.example\s+queued/);
      const json = await runCli(['status', '15563301', '--json'], env);
      expect(JSON.parse(json.stdout).fulfillments.map((f: { shipDate: string }) => f.shipDate)).toEqual([
        '2026-11-28',
        '2027-01-15',
      ]);
      const unknown = await runCli(['status', '99999999'], env);
      expect(unknown).toMatchObject({ code: 2, stderr: 'error: no sales order 99999999\n' });
    },
    CLI_TIMEOUT,
  );

  it(
    'resend needs a reason, and refuses lines that have not shipped',
    async () => {
      await enqueued('order-ex-srx');
      expect((await runCli(['resend', '15563238'], env)).code).toBe(2);
      const early = await runCli(['resend', '15563238', '--reason', 'lost'], env);
      expect(early.code).toBe(2);
      expect(early.stderr).toContain('has not been delivered yet');
    },
    CLI_TIMEOUT,
  );

  it(
    'stops on invalid settings with one line per problem naming the variable',
    async () => {
      const r = await runCli(['status', '15563238'], { ...env, API_PORT: 'eighty', FULFILLMENT_TZ: 'Nowhere/Land' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^invalid settings:\n {2}API_PORT: .+\n {2}FULFILLMENT_TZ: .+\n$/);
    },
    CLI_TIMEOUT,
  );

  it(
    'answers --help for every command',
    async () => {
      for (const command of [
        'demo',
        'start',
        'worker',
        'api',
        'enqueue',
        'render',
        'status',
        'resend',
        'verify-key',
        'keys',
        'migrate',
      ]) {
        const r = await runCli([command, '--help'], env);
        expect(r.code, command).toBe(0);
        expect(r.stdout, command).toContain(`Usage: license-courier ${command}`);
      }
    },
    CLI_TIMEOUT,
  );

  it(
    'migrate applies the schema; worker and api refuse to start without DATABASE_URL, naming it',
    async () => {
      expect(await runCli(['migrate'], env)).toMatchObject({ code: 0, stdout: 'database schema is up to date\n' });
      for (const command of ['worker', 'api']) {
        const r = await runCli([command], { ...env, DATABASE_URL: '' });
        expect(r.code, command).toBe(2);
        expect(r.stderr, command).toMatch(
          /^error: DATABASE_URL is required to run `(worker|api)` as a separate process[^\n]*\n$/,
        );
      }
      const unreachable = await runCli(['migrate'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/^error: database unavailable/);
    },
    CLI_TIMEOUT,
  );
});
