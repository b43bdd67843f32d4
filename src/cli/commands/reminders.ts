import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.ts';
import type { SweepResult } from '../../notices/sweep.ts';
import { action } from '../run.ts';
import { table } from '../table.ts';

/** `--date`: a real calendar date, YYYY-MM-DD. */
export function parseSweepDate(value: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!ok)
    throw new InvalidInputError('invalid option', [{ path: '--date', message: 'must be a calendar date, YYYY-MM-DD' }]);
  return value;
}

export function formatSweep(result: SweepResult, dryRun: boolean): string {
  const days =
    result.window.from === result.window.to ? result.window.to : `${result.window.from} to ${result.window.to}`;
  const rows = result.planned.map((p) => [p.orderNumber, p.notice, p.recipient, p.ssrns.join(' ')]);
  const head = dryRun
    ? `${result.planned.length} notice messages would go out for ${days} (dry run: nothing recorded or queued)`
    : `${result.recorded} notice messages recorded and ${result.queued} queued for ${days}`;
  return rows.length ? `${head}\n\n${table(['order', 'notice', 'recipient', 'ssrns'], rows)}` : head;
}

export function register(program: Command): void {
  program
    .command('reminders')
    .description('run the subscription-notice sweep now: renewal reminders, grace and expiry notices due')
    .option('--date <date>', 'the day to sweep, YYYY-MM-DD (default: today in FULFILLMENT_TZ)')
    .option('--dry-run', 'list what would go out; record and queue nothing')
    .action(
      action(async (options: { date?: string; dryRun?: boolean }) => {
        const date = options.date === undefined ? undefined : parseSweepDate(options.date);
        return (await import('../context.ts')).withContext(async (ctx) => {
          const { sweepNow } = await import('../../app/notices.ts');
          const result = await sweepNow(ctx, date, { dryRun: options.dryRun ?? false });
          process.stdout.write(`${formatSweep(result, options.dryRun ?? false)}\n`);
        });
      }),
    );
}
