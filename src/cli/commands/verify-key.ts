import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { KeyDeviceMismatchError, KeyFormatError, KeySignatureError, SigningKeyError } from '../../license/errors.ts';
import { verifyKey, type KeyFields } from '../../license/key.ts';
import { loadPublicKey } from '../../license/signing-keys.ts';
import { action, EXIT } from '../run.ts';

async function keyText(keyOrFile: string): Promise<string> {
  const isFile = await stat(keyOrFile).then(
    (s) => s.isFile(),
    () => false,
  );
  return isFile ? readFile(keyOrFile, 'utf8') : keyOrFile;
}

export function describeFields(f: KeyFields): string {
  const rows: Array<[string, string]> = [
    ['license ID', f.licenseId],
    ['device', f.device],
    ['SSRN', f.ssrn],
    ['SKU', f.sku],
    ['product', f.product],
    ['features', f.features.join(', ') || '(none)'],
    ['start', f.startDate],
    ['end', f.endDate ?? 'perpetual'],
    ['issued', f.issuedOn],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

// Read straight from the environment, not through the full settings: checking a key needs nothing else configured.
const setting = (name: string) => process.env[name]?.trim() || undefined;

export function register(program: Command): void {
  program
    .command('verify-key')
    .description("check a license key's signature and device binding, and print its fields")
    .argument('<key-or-file>', 'the key text, or a file holding it')
    .requiredOption('--device <id>', 'the serial number or UUID the key must be bound to')
    .addHelpText(
      'after',
      '\nChecks against LICENSE_PUBLIC_KEY (a PEM file), else the public half of LICENSE_SIGNING_KEY.\n' +
        'Exit 0: valid; 1: invalid (reason on stderr); 2: bad usage or no key to check against.',
    )
    .action(
      action(async (keyOrFile: string, options: { device: string }) => {
        let publicKey;
        try {
          publicKey = loadPublicKey(setting('LICENSE_PUBLIC_KEY'), setting('LICENSE_SIGNING_KEY'));
        } catch (error) {
          if (!(error instanceof SigningKeyError)) throw error;
          process.stderr.write(`error: ${error.message}\n`);
          return EXIT.badInput;
        }
        try {
          const fields = verifyKey(await keyText(keyOrFile), publicKey, options.device);
          process.stdout.write(`valid: signature and device binding check out\n${describeFields(fields)}\n`);
        } catch (error) {
          if (
            error instanceof KeyFormatError ||
            error instanceof KeySignatureError ||
            error instanceof KeyDeviceMismatchError
          ) {
            process.stderr.write(`invalid: ${error.message}\n`);
            return EXIT.failure;
          }
          throw error;
        }
      }),
    );
}
