import { join } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run.ts';

export function register(program: Command): void {
  program
    .command('render')
    .description('write each email (HTML, text, .eml) and certificate PDF of an event, sending nothing')
    .argument('<file>', 'a fulfillment event (JSON)')
    .requiredOption('--out <dir>', 'folder for the files')
    .action(
      action(async (file: string, options: { out: string }) => {
        const { renderEventFiles } = await import('../render-files.ts');
        const files = await renderEventFiles(file, options.out);
        process.stdout.write(`${files.map((f) => join(options.out, f)).join('\n')}\n`);
      }),
    );
}
