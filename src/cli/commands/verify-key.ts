import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { KeyDeviceMismatchError, KeyFormatError, KeySignatureError } from '../../license/errors.ts';
import { verifyKey, type KeyFields } from '../../license/key.ts';
import { loadPublicKey } from '../../license/signing-keys.ts';
import { action, EXIT } from '../run.ts';

async function keyText(keyOrFile: string): Promise<string> {
  const isFile = await stat(keyOrFile).then((s) => s.isFile(), () => false);
  return isFile ? readFile(keyOrFile, 'utf8') : keyOrFile;
}

export function describeFields(f: KeyFields): string {
  const rows: Array<[string, string]> = [
    ['license ID', f.licenseId], ['device', f.device], ['SSRN', f.ssrn], ['SKU', f.sku], ['product', f.product],
    ['features', f.features.join(', ')], ['start', f.startDate], ['end', f.endDate ?? 'perpetual'], ['issued', f.issuedOn],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function register(program: Command): void {
  program
    .command('verify-key')
    .description("check a license key's signature and device binding, and print its fields")
    .argument('<key-or-file>', 'the key text, or a file holding it')
    .requiredOption('--device <id>', 'the serial number or UUID the key must be bound to')
    .action(action(async (keyOrFile: string, options: { device: string }) => {
      const config = loadConfig();
      if (!config.LICENSE_PUBLIC_KEY && !config.LICENSE_SIGNING_KEY) {
        process.stderr.write('error: set LICENSE_PUBLIC_KEY (or LICENSE_SIGNING_KEY) to the key that signs license keys\n');
        return EXIT.badInput;
      }
      const publicKey = loadPublicKey(config.LICENSE_PUBLIC_KEY, config.LICENSE_SIGNING_KEY);
      try {
        const fields = verifyKey(await keyText(keyOrFile), publicKey, options.device);
        process.stdout.write(`valid: signature and device binding check out\n${describeFields(fields)}\n`);
      } catch (error) {
        if (error instanceof KeyFormatError || error instanceof KeySignatureError || error instanceof KeyDeviceMismatchError) {
          process.stderr.write(`invalid: ${error.message}\n`);
          return EXIT.failure;
        }
        throw error;
      }
    }));
}
