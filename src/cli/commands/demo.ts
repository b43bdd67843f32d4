import type { Command } from 'commander';
import { action } from '../run.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'the embedded demo, no settings needed: delivers the fixture orders into ./outbox and prints a summary',
    )
    .action(action(async () => (await import('../../demo/run-demo.ts')).runDemo()));
}
