import type { Command } from 'commander';
import { SigningKeyError } from '../../license/errors.ts';
import { generateSigningKeyPair } from '../../license/signing-keys.ts';
import { action, EXIT } from '../run.ts';

export function register(program: Command): void {
  const keys = program.command('keys').description('manage the Ed25519 key pair that signs license keys');
  keys
    .command('generate')
    .description('make a key pair: DIR/license-signing.pem (private, mode 0600) and DIR/license-public.pem')
    .requiredOption('--out <dir>', 'folder for the two files (created if missing)')
    .action(
      action(async (options: { out: string }) => {
        try {
          const { privatePath, publicPath } = await generateSigningKeyPair(options.out);
          process.stdout.write(
            `private key: ${privatePath} (keep it secret; set LICENSE_SIGNING_KEY to it)\n` +
              `public key:  ${publicPath} (set LICENSE_PUBLIC_KEY to it where keys are checked)\n`,
          );
        } catch (error) {
          if (!(error instanceof SigningKeyError)) throw error;
          process.stderr.write(`error: ${error.message}\n`);
          return EXIT.badInput;
        }
      }),
    );
}
