import type { Command } from 'commander';
import { action } from '../run.ts';
import { table } from '../table.ts';
import type { OrderView } from '../../support/order-view.ts';

export function formatOrderStatus(view: OrderView): string {
  const o = view.order;
  const po = o.poNumber ? ` (PO ${o.poNumber})` : '';
  const accounts = o.accounts.map((a) => `${a.id} ${a.role}`).join(', ');
  const head = `Sales order ${o.number}${po}, ${o.endCustomer.name}; accounts ${accounts}`;
  const ents = table(
    ['line', 'sku', 'qty', 'ssrn', 'code', 'start', 'end', 'keys'],
    view.entitlements.map((e) => [
      e.lineNumber,
      e.sku,
      String(e.quantity),
      e.ssrn,
      e.activationCode,
      e.startDate,
      e.endDate ?? 'perpetual',
      String(e.keys.length),
    ]),
  );
  const deliveries = view.fulfillments.flatMap((f) =>
    f.deliveries.map((d) => [
      f.shipDate,
      d.kind === 'resend' ? `resend ${d.resendId}` : 'first',
      d.recipient,
      d.status,
      String(d.attempts),
      d.acceptedAt ?? d.failedAt ?? d.queuedAt ?? d.createdAt,
      d.lastError && d.status !== 'sent' ? d.lastError.slice(0, 60) : d.messageId,
    ]),
  );
  const dl = table(
    ['ships', 'delivery', 'recipient', 'status', 'tries', 'when', 'message-id / last error'],
    deliveries,
  );
  const acts = view.entitlements.flatMap((e) =>
    e.activations.map((a) => [e.ssrn, a.device, a.licenseId, a.sender, a.at]),
  );
  return [
    head,
    '',
    ents,
    '',
    dl,
    ...(acts.length ? ['', table(['ssrn', 'device', 'license', 'requested by', 'when'], acts)] : []),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description('entitlements and per-recipient delivery status of a sales order, as a table')
    .argument('<order>', 'sales order number')
    .option('--json', 'print the same as GET /v1/orders/{number}')
    .action(
      action(async (order: string, options: { json?: boolean }) =>
        (await import('../context.ts')).withContext(async (ctx) => {
          const { orderView } = await import('../../support/order-view.ts');
          const view = await orderView(ctx, order);
          process.stdout.write(`${options.json ? JSON.stringify(view, null, 2) : formatOrderStatus(view)}\n`);
        }),
      ),
    );
}
