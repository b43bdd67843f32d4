import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type { ComposedMessage } from './compose.ts';
import { SmtpPool } from './smtp-pool.ts';

/** What a sender needs of a mail transport: send, check readiness, close. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(message: ComposedMessage): Promise<{ messageId: string; response: string }>;
  verify(): Promise<void>;
  close(): void;
}

export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export function smtpTransport(
  url: string,
  options: { poolSize: number; timeoutMs: number; dkim?: DkimSettings },
): MailTransport {
  // Host, port, TLS and credentials as nodemailer reads them from a URL (smtp://, smtps://, query options).
  const { auth, ...connection } = parseConnectionUrl(url) as ReturnType<typeof parseConnectionUrl> & {
    auth?: { user: string; pass: string };
  };
  const pool = new SmtpPool({
    connection: {
      ...connection,
      connectionTimeout: Math.min(options.timeoutMs, 30_000),
      greetingTimeout: Math.min(options.timeoutMs, 30_000),
      socketTimeout: options.timeoutMs,
    },
    ...(auth && { auth }),
    size: options.poolSize,
    // A pooled connection is reused for many messages; recycle it so a server's per-connection limit is never hit.
    maxMessages: 100,
    // Postfix ends an idle session after 300 s (smtpd_timeout), others sooner; a quiet pool frees the server's slot.
    idleTimeoutMs: 60_000,
  });
  // Signing reads the whole message; only deployments that sign pay for it.
  const signer = options.dkim && messageBuilder(options.dkim);
  return {
    kind: 'smtp',
    async send(message) {
      const raw = signer ? (await signer.build(message)).raw : message.raw;
      const info = await pool.send(message.envelope, raw);
      return { messageId: message.messageId, response: String(info.response ?? '') };
    },
    verify: () => pool.verify(),
    close() {
      pool.close();
      signer?.close();
    },
  };
}

/** Builds the complete RFC 5322 message (signed when DKIM is given) without sending it. */
export function messageBuilder(dkim?: DkimSettings): {
  build(message: Mail.Options): Promise<{ messageId: string; raw: Buffer }>;
  close(): void;
} {
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'crlf',
    ...(dkim && { dkim }),
  });
  return {
    async build(message) {
      const info = await builder.sendMail(message);
      return { messageId: info.messageId, raw: info.message as Buffer };
    },
    close: () => builder.close(),
  };
}

/** Writes a file so that a reader never sees half of it: write a temporary name, then rename. */
export async function writeAtomically(path: string, content: Buffer | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** Without SMTP, each message becomes an .eml file in the outbox, named by its Message-ID. */
export function outboxTransport(dir: string, options: { dkim?: DkimSettings } = {}): MailTransport {
  const builder = messageBuilder(options.dkim);
  return {
    kind: 'outbox',
    async send(message) {
      const { messageId, raw } = await builder.build(message);
      await mkdir(dir, { recursive: true });
      const path = join(dir, fileNameFor(messageId));
      await writeAtomically(path, raw);
      return { messageId, response: `written to ${path}` };
    },
    async verify() {
      await mkdir(dir, { recursive: true });
      const probe = join(dir, `.probe.${process.pid}`);
      await writeAtomically(probe, '');
      await rm(probe, { force: true });
    },
    close: () => builder.close(),
  };
}

function fileNameFor(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
}
