import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../src/license/key.ts';
import { keyFileContent } from '../../src/license/key-file.ts';
import { loadSigningKey } from '../../src/license/signing-keys.ts';
import { exampleDocuments } from '../support/documents.ts';
import { runCli } from '../support/cli.ts';

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** The key commands as a user runs them: a child process, without the rest of the service loaded. */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { LICENSE_PUBLIC_KEY: '', LICENSE_SIGNING_KEY: '', ...env }, { entry: ENTRY });

const dir = mkdtempSync(join(tmpdir(), 'lc-keys-'));
const otherDir = mkdtempSync(join(tmpdir(), 'lc-keys-other-'));
const pub = () => ({ LICENSE_PUBLIC_KEY: join(dir, 'license-public.pem') });
let keyFile: string;
let keyText: string;

beforeAll(async () => {
  const [a, b] = await Promise.all([
    cli(['keys', 'generate', '--out', dir]),
    cli(['keys', 'generate', '--out', otherDir]),
  ]);
  expect(a.code).toBe(0);
  expect(a.stdout).toContain(join(dir, 'license-signing.pem'));
  expect(b.code).toBe(0);
  const e = exampleDocuments('order-heritage-de')[0]!.lines[0]!.entitlement;
  const issued = issueKey(
    e,
    'JN11D2E7CAFB',
    ['NS-CTRL-NODES'],
    '2026-11-28',
    loadSigningKey(join(dir, 'license-signing.pem')),
  );
  keyText = issued.key;
  keyFile = join(dir, 'key.lic');
  writeFileSync(keyFile, keyFileContent(issued, e));
}, 60_000);

describe('license-courier keys generate', () => {
  it('writes a private key readable by its owner only, and a public key', () => {
    expect(statSync(join(dir, 'license-signing.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'license-public.pem')).isFile()).toBe(true);
  });

  it('refuses to overwrite an existing pair (exit 2), and needs --out', async () => {
    const again = await cli(['keys', 'generate', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect((await cli(['keys', 'generate'])).code).toBe(2);
  });
});

describe('license-courier verify-key', () => {
  it('accepts a valid key from an attached file or as text, and prints its fields aligned', async () => {
    const fromFile = await cli(['verify-key', keyFile, '--device', 'JN11D2E7CAFB'], pub());
    expect(fromFile).toMatchObject({ code: 0, stderr: '' });
    expect(fromFile.stdout).toMatch(/^SSRN {8}SSRN2C9D4E6F8G$/m);
    expect(fromFile.stdout).toMatch(/^device {6}JN11D2E7CAFB$/m);
    expect(fromFile.stdout).toMatch(/^end {9}2027-12-31$/m);
    const fromText = await cli(['verify-key', keyText.toLowerCase(), '--device', 'jn11d2e7cafb'], {
      LICENSE_SIGNING_KEY: join(dir, 'license-signing.pem'),
    });
    expect(fromText.code).toBe(0);
  });

  it('rejects another device, a tampered key, another signer and a non-key with exit 1 and a one-line reason', async () => {
    const tampered = keyText.replace(/\n([A-Z2-7])/, (_m, c: string) => `\n${c === 'A' ? 'B' : 'A'}`);
    const [device, altered, signer, garbage] = await Promise.all([
      cli(['verify-key', keyFile, '--device', 'JN125ED29AFL'], pub()),
      cli(['verify-key', tampered, '--device', 'JN11D2E7CAFB'], pub()),
      cli(['verify-key', keyFile, '--device', 'JN11D2E7CAFB'], {
        LICENSE_PUBLIC_KEY: join(otherDir, 'license-public.pem'),
      }),
      cli(['verify-key', 'hello world', '--device', 'JN11D2E7CAFB'], pub()),
    ]);
    expect(device).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'invalid: the key is bound to device JN11D2E7CAFB, not JN125ED29AFL\n',
    });
    expect(altered.code).toBe(1);
    expect(altered.stderr).toMatch(/^invalid: .*(damaged|altered|signature).*\n$/);
    expect(signer).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^invalid: the signature does not match.*\n$/),
    });
    expect(garbage).toMatchObject({ code: 1, stderr: expect.stringMatching(/^invalid: this is not a license key/) });
  });

  it('is bad usage (exit 2) without a key to check against, with an unreadable key file, or without --device', async () => {
    const [noKey, missing, noDevice, help] = await Promise.all([
      cli(['verify-key', keyFile, '--device', 'X']),
      cli(['verify-key', keyFile, '--device', 'X'], { LICENSE_PUBLIC_KEY: join(dir, 'nope.pem') }),
      cli(['verify-key', keyFile], pub()),
      cli(['verify-key', '--help']),
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('LICENSE_PUBLIC_KEY');
    expect(noKey.stderr).toContain('LICENSE_SIGNING_KEY');
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining(join(dir, 'nope.pem')) });
    expect(noDevice.code).toBe(2);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--device <id>');
  });
});
