import type { Command } from 'commander';
import { generateSigningKeyPair } from '../../license/signing-keys.ts';
import { action, EXIT } from '../run.ts';

export function register(program: Command): void {
  const keys = program.command('keys').description('manage the Ed25519 key pair that signs license keys');
  keys
    .command('generate')
    .description('make a key pair: DIR/license-signing.pem (private, mode 0600) and DIR/license-public.pem')
    .requiredOption('--out <dir>', 'folder for the two files')
    .action(action(async (options: { out: string }) => {
      try {
        const { privatePath, publicPath } = await generateSigningKeyPair(options.out);
        process.stdout.write(`private key: ${privatePath} (keep it secret; set LICENSE_SIGNING_KEY to it)\npublic key:  ${publicPath}\n`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        process.stderr.write(`error: a key pair already exists in ${options.out}; replacing it would make every key signed with it unverifiable\n`);
        return EXIT.badInput;
      }
    }));
}
