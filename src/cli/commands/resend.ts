import type { Command } from 'commander';
import { action } from '../run.ts';
import { table } from '../table.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  program
    .command('resend')
    .description(
      'resend the Fulfillment Email and certificate of an order (all lines, or --line; to its contacts, or --to)',
    )
    .argument('<order>', 'sales order number')
    .option('--line <n>', 'a line number to resend (repeatable)', collect)
    .option('--to <email>', "send to this address instead of the order's contacts (repeatable)", collect)
    .requiredOption('--reason <text>', 'why: recorded in the audit log')
    .action(
      action(async (order: string, options: { line?: string[]; to?: string[]; reason: string }) =>
        (await import('../context.ts')).withContext(async (ctx) => {
          const [{ resendFor }, { cliCaller }] = await Promise.all([
            import('../../app/support.ts'),
            import('../context.ts'),
          ]);
          const body = {
            ...(options.line && { lines: options.line }),
            ...(options.to && { to: options.to }),
            reason: options.reason,
          };
          const result = await resendFor(ctx, order, body, cliCaller());
          process.stdout.write(`resend ${result.resendId}: ${result.deliveries.length} message(s) queued\n`);
          process.stdout.write(
            `${table(
              ['delivery', 'recipient', 'status'],
              result.deliveries.map((d) => [d.id, d.recipient, d.status]),
            )}\n`,
          );
        }),
      ),
    );
}
