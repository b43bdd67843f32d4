import { Command } from 'commander';
import { register as registerDemo } from './commands/demo.ts';
import { register as registerEnqueue } from './commands/enqueue.ts';
import { register as registerKeys } from './commands/keys.ts';
import { register as registerMigrate } from './commands/migrate.ts';
import { register as registerReminders } from './commands/reminders.ts';
import { register as registerRender } from './commands/render.ts';
import { register as registerResend } from './commands/resend.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerStatus } from './commands/status.ts';
import { register as registerVerifyKey } from './commands/verify-key.ts';
import { EXIT } from './run.ts';

const program = new Command('license-courier')
  .description(
    'Delivers software licenses after a sale: Fulfillment Emails, entitlement certificates, ' +
      'heritage activation by email.',
  )
  .showHelpAfterError()
  .exitOverride((error) => {
    // commander's own usage errors (unknown option, missing argument) are bad usage: exit 2, as the contract says.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.badInput);
  });

for (const register of [
  registerDemo,
  registerServe,
  registerEnqueue,
  registerRender,
  registerStatus,
  registerResend,
  registerReminders,
  registerVerifyKey,
  registerKeys,
  registerMigrate,
]) {
  register(program);
}

await program.parseAsync(process.argv);
