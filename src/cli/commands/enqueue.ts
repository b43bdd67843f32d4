import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.ts';
import { action, EXIT, reportError } from '../run.ts';
import { progressBar } from '../progress.ts';

/** A file holds one event, a JSON array of events, or one event per line (NDJSON). */
export async function readEvents(file: string): Promise<Array<{ where: string; value: unknown }>> {
  const text = await readFile(file, 'utf8');
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value)
      ? value.map((v, i) => ({ where: `${file}[${i}]`, value: v }))
      : [{ where: file, value }];
  } catch {
    return text
      .split('\n')
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => line.trim())
      .map(({ line, i }) => {
        try {
          return { where: `${file}:${i + 1}`, value: JSON.parse(line) as unknown };
        } catch (error) {
          return {
            where: `${file}:${i + 1}`,
            value: new InvalidInputError('not JSON', [{ path: '(file)', message: (error as Error).message }]),
          };
        }
      });
  }
}

export function register(program: Command): void {
  program
    .command('enqueue')
    .description('validate fulfillment events and submit them, as POST /v1/fulfillments does')
    .argument('<files...>', 'JSON files: one event, an array of events, or NDJSON')
    .action(
      action(async (files: string[]) =>
        (await import('../context.ts')).withContext(async (ctx) => {
          const [{ intake }, { cliCaller }] = await Promise.all([
            import('../../app/intake.ts'),
            import('../context.ts'),
          ]);
          const events = (await Promise.all(files.map(readEvents))).flat();
          const bar = progressBar(events.length, process.stderr);
          let accepted = 0,
            replayed = 0,
            rejected = 0;
          for (const { where, value } of events) {
            try {
              if (value instanceof InvalidInputError) throw value;
              const result = await intake(ctx, value, cliCaller().name);
              result.replay ? replayed++ : accepted++;
            } catch (error) {
              rejected++;
              bar.interrupt(() => {
                process.stderr.write(`${where}:\n`);
                reportError(error, (l) => process.stderr.write(`  ${l}\n`));
              });
            }
            bar.tick();
          }
          bar.done();
          process.stdout.write(`${accepted} accepted, ${replayed} already accepted before, ${rejected} rejected\n`);
          return rejected ? EXIT.badInput : EXIT.ok;
        }),
      ),
    );
}
