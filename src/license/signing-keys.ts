import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SigningKeyError } from './errors.ts';

export const SIGNING_KEY_FILE = 'license-signing.pem';
export const PUBLIC_KEY_FILE = 'license-public.pem';

function readPem(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new SigningKeyError(
      `${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function requireEd25519(key: KeyObject, variable: string, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `${variable}: ${path} is a ${key.asymmetricKeyType} key; license keys are signed with Ed25519`,
    );
  }
  return key;
}

function parsePem(make: (pem: string) => KeyObject, path: string, variable: string, what: string): KeyObject {
  const pem = readPem(path, variable);
  try {
    return requireEd25519(make(pem), variable, path);
  } catch (error) {
    if (error instanceof SigningKeyError) throw error;
    throw new SigningKeyError(`${variable}: ${path} is not ${what} in PEM form (${(error as Error).message})`);
  }
}

export function loadSigningKey(path: string): KeyObject {
  return parsePem(createPrivateKey, path, 'LICENSE_SIGNING_KEY', 'a private key');
}

/** The public key from LICENSE_PUBLIC_KEY, else derived from the signing key. */
export function loadPublicKey(publicPath?: string, signingPath?: string): KeyObject {
  if (publicPath) return parsePem(createPublicKey, publicPath, 'LICENSE_PUBLIC_KEY', 'a public key');
  if (signingPath) return createPublicKey(loadSigningKey(signingPath));
  throw new SigningKeyError('set LICENSE_PUBLIC_KEY (or LICENSE_SIGNING_KEY) to the key that signs license keys');
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Writes a new Ed25519 pair; refuses to replace existing files, which would orphan every key signed so far. */
export async function generateSigningKeyPair(outDir: string): Promise<{ privatePath: string; publicPath: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await mkdir(outDir, { recursive: true });
  const privatePath = join(outDir, SIGNING_KEY_FILE);
  const publicPath = join(outDir, PUBLIC_KEY_FILE);
  // 'wx' fails with EEXIST instead of overwriting; check both first so a half-existing pair is not completed either.
  for (const path of [privatePath, publicPath]) {
    if (await exists(path))
      throw new SigningKeyError(
        `${path} already exists; replacing it would make every key signed with it unverifiable`,
      );
  }
  await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privatePath, publicPath };
}
