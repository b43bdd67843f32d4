import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

/** What a sender needs of a mail transport: send, check readiness, close. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(message: Mail.Options): Promise<{ messageId: string; response: string }>;
  verify(): Promise<void>;
  close(): void;
}

export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export function smtpTransport(url: string, options: { poolSize: number; timeoutMs: number; dkim?: DkimSettings }): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: options.poolSize,
    // A pooled connection is reused for many messages; recycle it so a server's per-connection limit is never hit.
    maxMessages: 100,
    connectionTimeout: Math.min(options.timeoutMs, 30_000),
    greetingTimeout: Math.min(options.timeoutMs, 30_000),
    socketTimeout: options.timeoutMs,
    ...(options.dkim && { dkim: options.dkim }),
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: info.messageId, response: String(info.response ?? '') };
    },
    async verify() {
      await transporter.verify();
    },
    close: () => transporter.close(),
  };
}

/** Builds the complete RFC 5322 message (signed when DKIM is given) without sending it. */
export function messageBuilder(dkim?: DkimSettings): { build(message: Mail.Options): Promise<{ messageId: string; raw: Buffer }>; close(): void } {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'crlf', ...(dkim && { dkim }) });
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
