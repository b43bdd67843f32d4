import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ImapFlow } from 'imapflow';
import { parseImapUrl } from './imap-url.ts';

export interface MailboxMessage {
  uid: number;
  uidValidity: string;
  messageId?: string;
  /** The message source, cut at maxMessageBytes. */
  source: Buffer;
}

export type WatcherState = 'connecting' | 'connected' | 'disconnected' | 'waiting-for-lock';

export interface MailboxWatcherOptions {
  url: string;
  redis: Redis;
  /** Every key this watcher writes starts with `${keyPrefix}:imap:`. */
  keyPrefix: string;
  mailbox?: string;
  /** Hand-off of one new message; the receiver must be idempotent (a crash before the UID is recorded repeats it). */
  onMessage(msg: MailboxMessage): Promise<void>;
  /** Where a handed-on message belongs now; undefined while it is still being processed. */
  fileOutcome(uid: number, uidValidity: string): Promise<'Processed' | 'Rejected' | undefined>;
  pollIntervalMs?: number;
  maxMessageBytes?: number;
  lockTtlMs?: number;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onStateChange?(state: WatcherState): void;
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Watches one mailbox and hands each new message on exactly once in UID order, across restarts and processes:
 * a Redis lock lets one watcher hold the mailbox (others wait and take over), the highest UID handed on is stored with
 * the mailbox's UIDVALIDITY, and a dropped or silent connection is replaced by a new client with backoff (imapflow does
 * not reconnect by itself).
 */
export class MailboxWatcher {
  private readonly o: Required<Omit<MailboxWatcherOptions, 'logger' | 'onStateChange'>> & Pick<MailboxWatcherOptions, 'logger' | 'onStateChange'>;
  private readonly token = randomBytes(12).toString('hex');
  private readonly keys: { lock: string; state: string };
  private stopped = false;
  private loop: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  private state: WatcherState | undefined;

  constructor(options: MailboxWatcherOptions) {
    parseImapUrl(options.url);
    this.o = { mailbox: 'INBOX', pollIntervalMs: 30_000, maxMessageBytes: 1024 * 1024, lockTtlMs: 15_000, ...options };
    const base = `${options.keyPrefix}:imap:${options.mailbox ?? 'INBOX'}`;
    this.keys = { lock: `${base}:lock`, state: `${base}:position` };
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private setState(state: WatcherState): void {
    if (state === this.state) return;
    this.state = state;
    this.o.onStateChange?.(state);
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      const locked = await this.o.redis.set(this.keys.lock, this.token, 'PX', this.o.lockTtlMs, 'NX').catch(() => null);
      if (!locked) {
        this.setState('waiting-for-lock');
        await this.pause(this.o.lockTtlMs / 3);
        continue;
      }
      let lost = false;
      const renew = setInterval(() => {
        this.o.redis.eval(RENEW, 1, this.keys.lock, this.token, this.o.lockTtlMs).then(
          (ok) => { if (!ok) { lost = true; this.wake?.(); } },
          () => undefined,
        );
      }, this.o.lockTtlMs / 3);
      try {
        while (!this.stopped && !lost) {
          try {
            await this.session(() => lost);
            backoff = 500;
          } catch (error) {
            this.setState('disconnected');
            this.o.logger?.warn({ err: (error as Error).message, retryInMs: backoff }, 'mailbox connection lost');
            await this.pause(backoff * (0.75 + Math.random() / 2));
            backoff = Math.min(backoff * 2, 30_000);
          }
        }
      } finally {
        clearInterval(renew);
        await this.o.redis.eval(RELEASE, 1, this.keys.lock, this.token).catch(() => undefined);
      }
    }
    this.setState('disconnected');
  }

  /** Sleeps, but wakes early on stop or new mail. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One connection's life: returns on stop or lost lock, throws when the connection fails. */
  private async session(lost: () => boolean): Promise<void> {
    this.setState('connecting');
    const endpoint = parseImapUrl(this.o.url);
    const client = new ImapFlow({
      host: endpoint.host, port: endpoint.port, secure: endpoint.secure, auth: { user: endpoint.user, pass: endpoint.pass },
      logger: false, socketTimeout: Math.max(60_000, this.o.pollIntervalMs * 2), maxIdleTime: Math.min(this.o.pollIntervalMs, 5 * 60_000),
    });
    this.client = client;
    let closed: Error | undefined;
    client.on('error', (error: Error) => { closed = error; this.wake?.(); });
    client.on('close', () => { closed ??= new Error('connection closed'); this.wake?.(); });
    client.on('exists', () => this.wake?.());
    try {
      await client.connect();
      await client.mailboxOpen(this.o.mailbox);
      this.setState('connected');
      while (!this.stopped && !lost()) {
        await this.check(client);
        await this.pause(this.o.pollIntervalMs);
        if (closed) throw closed;
        if (this.stopped || lost()) break;
        // A silent connection (no close event) shows itself here.
        await client.noop();
      }
    } finally {
      this.client = undefined;
      await client.logout().catch(() => client.close());
    }
  }

  private async check(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox as { uidValidity: bigint; exists: number } | false;
    if (!mailbox) throw new Error('mailbox not selected');
    const uidValidity = String(mailbox.uidValidity);
    const [storedValidity, storedUid] = await this.o.redis.hmget(this.keys.state, 'uidValidity', 'uid');
    let lastUid = Number(storedUid ?? 0);
    if (storedValidity !== uidValidity) {
      // A new UIDVALIDITY means the old UIDs mean nothing: start over (the receiver dedupes by message).
      lastUid = 0;
      await this.o.redis.hset(this.keys.state, 'uidValidity', uidValidity, 'uid', '0');
    }
    if (mailbox.exists > 0) {
      const fresh: Array<{ uid: number; messageId?: string; size: number }> = [];
      for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, envelope: true, size: true }, { uid: true })) {
        if (m.uid > lastUid) fresh.push({ uid: m.uid, size: m.size ?? 0, ...(m.envelope?.messageId && { messageId: m.envelope.messageId }) });
      }
      fresh.sort((a, b) => a.uid - b.uid);
      for (const m of fresh) {
        // Only the first maxMessageBytes are fetched: a 20 MB message never lands in memory whole.
        const full = await client.fetchOne(String(m.uid), { source: { start: 0, maxLength: this.o.maxMessageBytes } }, { uid: true });
        const source = full && full.source ? Buffer.from(full.source) : Buffer.alloc(0);
        await this.o.onMessage({ uid: m.uid, uidValidity, source, ...(m.messageId && { messageId: m.messageId }) });
        await this.o.redis.hset(this.keys.state, 'uid', String(m.uid));
        lastUid = m.uid;
      }
    }
    await this.file(client, uidValidity, lastUid);
  }

  /** Moves handed-on messages whose outcome is known into Processed or Rejected; deletes nothing. */
  private async file(client: ImapFlow, uidValidity: string, lastUid: number): Promise<void> {
    if (lastUid === 0 || (client.mailbox as { exists: number }).exists === 0) return;
    const uids = (await client.search({ uid: `1:${lastUid}` }, { uid: true })) || [];
    const byFolder = new Map<string, number[]>();
    for (const uid of uids) {
      const folder = await this.o.fileOutcome(uid, uidValidity);
      if (folder) byFolder.set(folder, [...(byFolder.get(folder) ?? []), uid]);
    }
    for (const [folder, list] of byFolder) {
      await client.mailboxCreate(folder).catch(() => undefined);
      await client.messageMove(list.join(','), folder, { uid: true });
    }
  }
}
