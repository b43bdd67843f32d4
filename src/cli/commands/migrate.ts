import type { Command } from 'commander';
import { action } from '../run.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply the database schema (also done at start; safe when several processes start at once)')
    .action(
      action(async () => {
        const [{ loadConfig }, { openDatabase }] = await Promise.all([
          import('../../config.ts'),
          import('../../store/stores.ts'),
        ]);
        // openDatabase applies what is missing before it hands the database over.
        const db = await openDatabase(loadConfig(), { embedded: true });
        await db.close();
        process.stdout.write('database schema is up to date\n');
      }),
    );
}
