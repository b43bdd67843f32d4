import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SIGNING_KEY_FILE = 'license-signing.pem';
export const PUBLIC_KEY_FILE = 'license-public.pem';

function readPem(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function loadSigningKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readPem(path, 'LICENSE_SIGNING_KEY'));
  } catch (error) {
    throw new Error(`LICENSE_SIGNING_KEY: ${path} is not a private key in PEM form (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`LICENSE_SIGNING_KEY: ${path} is a ${key.asymmetricKeyType} key; license keys are signed with Ed25519`);
  return key;
}

/** The public key from LICENSE_PUBLIC_KEY, else derived from the signing key. */
export function loadPublicKey(publicPath: string | undefined, signingPath: string | undefined): KeyObject {
  if (publicPath) {
    try {
      return createPublicKey(readPem(publicPath, 'LICENSE_PUBLIC_KEY'));
    } catch (error) {
      throw new Error(`LICENSE_PUBLIC_KEY: ${publicPath} is not a public key in PEM form (${(error as Error).message})`);
    }
  }
  if (signingPath) return createPublicKey(loadSigningKey(signingPath));
  throw new Error('set LICENSE_PUBLIC_KEY (or LICENSE_SIGNING_KEY) to the key that signs license keys');
}

/** Writes a new Ed25519 pair; refuses to replace existing files, which would orphan every key signed so far. */
export async function generateSigningKeyPair(outDir: string): Promise<{ privatePath: string; publicPath: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await mkdir(outDir, { recursive: true });
  const privatePath = join(outDir, SIGNING_KEY_FILE);
  const publicPath = join(outDir, PUBLIC_KEY_FILE);
  await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privatePath, publicPath };
}
