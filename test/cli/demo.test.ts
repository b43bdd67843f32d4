import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../support/app.ts';

const prefix = uniquePrefix();
afterAll(() => deletePrefix(TEST_REDIS_URL, prefix));

describe('license-courier demo', () => {
  it('delivers the fixture orders into the outbox with nothing configured, and shows the future line as scheduled', async () => {
    const outbox = mkdtempSync(join(tmpdir(), 'lc-demo-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'lc-demo-data-'));
    // No DATABASE_URL: the demo runs on the embedded database, in a fresh directory under DATA_DIR.
    const r = await runCli(['demo'], {
      REDIS_URL: TEST_REDIS_URL,
      KEY_PREFIX: prefix,
      OUTBOX_DIR: outbox,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SMTP_URL: '',
      LICENSE_SIGNING_KEY: '',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('7 message(s) written to');
    expect(r.stdout).toMatch(/15563301\s+2027-01-15\s+juergen\.weiss@mueller-netz\.example\s+scheduled/);
    const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(7);
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(outbox, f)))));
    expect(mails.every((m) => m.attachments.some((a) => a.contentType === 'application/pdf'))).toBe(true);
    // The key-in-email line of the demo's cloud order carries its signed key as a file.
    expect(mails.filter((m) => m.attachments.some((a) => a.filename?.endsWith('.lic')))).toHaveLength(2);
    expect(existsSync(join(dataDir, 'demo', 'pglite'))).toBe(true);

    // Run again: the demo starts from a clean slate, so it delivers the same again rather than finding replays.
    const again = await runCli(['demo'], {
      REDIS_URL: TEST_REDIS_URL,
      KEY_PREFIX: prefix,
      OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'lc-demo-')),
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SMTP_URL: '',
      LICENSE_SIGNING_KEY: '',
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('7 message(s) written to');
  }, 240_000);
});
