import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../src/license/key.ts';
import { loadSigningKey } from '../../src/license/signing-keys.ts';
import { exampleDocuments } from '../support/documents.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'lc-keys-'));
const otherDir = mkdtempSync(join(tmpdir(), 'lc-keys-other-'));
let keyFile: string;
let keyText: string;

beforeAll(async () => {
  expect((await runCli(['keys', 'generate', '--out', dir])).code).toBe(0);
  expect((await runCli(['keys', 'generate', '--out', otherDir])).code).toBe(0);
  const e = exampleDocuments('order-heritage-de')[0]!.lines[0]!.entitlement;
  keyText = issueKey(e, 'JN11D2E7CAFB', ['NS-CTRL-NODES'], '2026-11-28', loadSigningKey(join(dir, 'license-signing.pem'))).key;
  keyFile = join(dir, 'key.lic');
  writeFileSync(keyFile, `${keyText}\n`);
}, 60_000);

describe('license-courier keys generate', () => {
  it('writes a private key readable by its owner only, and a public key', () => {
    expect(statSync(join(dir, 'license-signing.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'license-public.pem')).isFile()).toBe(true);
  });

  it('refuses to overwrite an existing pair (exit 2)', async () => {
    const r = await runCli(['keys', 'generate', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
  });
});

describe('license-courier verify-key', () => {
  const pub = () => ({ LICENSE_PUBLIC_KEY: join(dir, 'license-public.pem') });

  it('accepts a valid key from a file or as text, and prints its fields', async () => {
    const fromFile = await runCli(['verify-key', keyFile, '--device', 'JN11D2E7CAFB'], pub());
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/SSRN\s+SSRN2C9D4E6F8G/);
    expect(fromFile.stdout).toMatch(/device\s+JN11D2E7CAFB/);
    const fromText = await runCli(['verify-key', keyText, '--device', 'jn11d2e7cafb'], { LICENSE_SIGNING_KEY: join(dir, 'license-signing.pem') });
    expect(fromText.code).toBe(0);
  });

  it('rejects another device, a tampered key and another signer with exit 1 and the reason', async () => {
    const device = await runCli(['verify-key', keyFile, '--device', 'JN125ED29AFL'], pub());
    expect(device).toMatchObject({ code: 1, stderr: expect.stringContaining('bound to device JN11D2E7CAFB') });
    const tampered = keyText.replace(/\n([A-Z2-7])/, (_m, c: string) => `\n${c === 'A' ? 'B' : 'A'}`);
    expect((await runCli(['verify-key', tampered, '--device', 'JN11D2E7CAFB'], pub())).code).toBe(1);
    const signer = await runCli(['verify-key', keyFile, '--device', 'JN11D2E7CAFB'], { LICENSE_PUBLIC_KEY: join(otherDir, 'license-public.pem') });
    expect(signer).toMatchObject({ code: 1, stderr: expect.stringContaining('signature') });
  });

  it('is bad usage without a key to check against, or without --device', async () => {
    const noKey = await runCli(['verify-key', keyFile, '--device', 'X'], { LICENSE_PUBLIC_KEY: '', LICENSE_SIGNING_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('LICENSE_PUBLIC_KEY');
    expect((await runCli(['verify-key', keyFile], pub())).code).toBe(2);
  });
});
