// A command line with only the two key commands, so their tests do not depend on the rest of the CLI.
import { Command } from 'commander';
import { register as registerKeys } from '../../src/cli/commands/keys.ts';
import { register as registerVerifyKey } from '../../src/cli/commands/verify-key.ts';

const program = new Command('license-courier').exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
registerKeys(program);
registerVerifyKey(program);
await program.parseAsync(process.argv);
