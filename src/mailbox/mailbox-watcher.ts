import type { Redis } from 'ioredis';
import { ImapFlow } from 'imapflow';
import { parseImapUrl, type ImapEndpoint } from './imap-url.ts';
import { MailboxLock } from '../store/redis-mailbox-lock.ts';
import { MailboxPosition } from '../store/redis-mailbox-position.ts';
import type { WatcherState } from '../store/redis-watcher-state.ts';
import { fileDecidedMessages, type FilingFolder } from './file-messages.ts';
import { Wakeup, within } from './wakeup.ts';

export interface MailboxMessage {
  uid: number;
  uidValidity: string;
  messageId?: string;
  /** The message source, cut at maxMessageBytes. */
  source: Buffer;
}

export type { WatcherState } from '../store/redis-watcher-state.ts';
export type { FilingFolder } from './file-messages.ts';

export interface WatcherLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error?(o: object, m?: string): void;
}

export interface MailboxWatcherOptions {
  /** `imap://` or `imaps://user:pass@host:port`; a bad one throws a ConfigError naming IMAP_URL. */
  url: string;
  redis: Redis;
  /** Every key this watcher writes starts with `${keyPrefix}:imap:`. */
  keyPrefix: string;
  mailbox?: string;
  /** Hand-off of one new message; the receiver must be idempotent (a crash before the UID is recorded repeats it). */
  onMessage(msg: MailboxMessage): Promise<void>;
  /** Where a handed-on message belongs now; undefined while it is still being processed. */
  fileOutcome(uid: number, uidValidity: string): Promise<FilingFolder | undefined>;
  /** A check besides IDLE, which also proves a silent connection alive (NOOP). */
  pollIntervalMs?: number;
  /** Only this many bytes of a message's source are fetched. */
  maxMessageBytes?: number;
  /** The lease one watcher holds on the mailbox; a dead holder's lease runs out after this. */
  lockTtlMs?: number;
  lockRenewMs?: number;
  /** Reconnect delay: starts at initial, doubles up to max, ±25 % jitter. */
  reconnectDelayMs?: { initial: number; max: number };
  logger?: WatcherLogger;
  onStateChange?(state: WatcherState): void;
}

const MiB = 1024 * 1024;

/**
 * Watches one mailbox and hands each new message on in UID order, at least once, across restarts and processes:
 * a Redis lease lets one watcher hold the mailbox (others wait and take over), the highest UID handed on is stored
 * with the mailbox's UIDVALIDITY, and a dropped or silent connection is replaced by a new client with backoff
 * (imapflow does not reconnect by itself). Messages whose outcome is known are moved to Processed or Rejected.
 */
export class MailboxWatcher {
  private readonly endpoint: ImapEndpoint;
  private readonly mailbox: string;
  private readonly lock: MailboxLock;
  private readonly position: MailboxPosition;
  private readonly timing: { poll: number; answer: number; renew: number; reconnect: { initial: number; max: number } };
  private readonly maxMessageBytes: number;
  private stopped = true;
  private lockLost = false;
  private loop: Promise<void> | undefined;
  private backoff: number;
  private state: WatcherState | undefined;
  // Pauses end early on stop, lost lock, new mail or a dropped connection.
  private readonly wakeup = new Wakeup();

  constructor(private readonly o: MailboxWatcherOptions) {
    this.endpoint = parseImapUrl(o.url);
    this.mailbox = o.mailbox ?? 'INBOX';
    const ttl = o.lockTtlMs ?? 15_000;
    const poll = o.pollIntervalMs ?? 30_000;
    // How long a NOOP or LOGOUT may take before the connection counts as silent.
    const answer = Math.min(Math.max(poll * 2, 2_000), 15_000);
    this.timing = {
      poll,
      answer,
      renew: o.lockRenewMs ?? ttl / 3,
      reconnect: o.reconnectDelayMs ?? { initial: 500, max: 30_000 },
    };
    this.maxMessageBytes = o.maxMessageBytes ?? MiB;
    this.backoff = this.timing.reconnect.initial;
    const base = `${o.keyPrefix}:imap:mailbox:${this.endpoint.user}:${this.mailbox}`;
    this.lock = new MailboxLock(o.redis, `${base}:lock`, ttl);
    this.position = new MailboxPosition(o.redis, `${base}:position`, this.lock);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup.wake();
    await this.loop;
  }

  private holding(): boolean {
    return !this.stopped && !this.lockLost;
  }

  private setState(state: WatcherState): void {
    if (state === this.state) return;
    this.state = state;
    this.o.onStateChange?.(state);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.lock.acquire())) {
        this.setState('waiting-for-lock');
        await this.wakeup.sleep(this.timing.renew);
        continue;
      }
      this.lockLost = false;
      let renewing = true; // a renewal answered after release belongs to a past hold
      const renewal = setInterval(() => {
        void this.lock.renew().then((ok) => {
          if (ok || this.lockLost || !renewing) return;
          this.lockLost = true;
          this.o.logger?.warn({ lock: this.lock.key }, 'mailbox lock lost; watching stops until it is regained');
          this.wakeup.wake();
        });
      }, this.timing.renew);
      try {
        await this.watchWhileHolding();
      } finally {
        renewing = false;
        clearInterval(renewal);
        await this.lock.release();
      }
    }
    this.setState('disconnected');
  }

  private async watchWhileHolding(): Promise<void> {
    while (this.holding()) {
      try {
        await this.session();
      } catch (error) {
        if (!this.holding()) return;
        this.setState('disconnected');
        const delay = Math.round(this.backoff * (0.75 + Math.random() / 2));
        this.o.logger?.warn(
          { mailbox: this.mailbox, err: (error as Error).message, retryInMs: delay },
          'mailbox connection failed',
        );
        this.backoff = Math.min(this.backoff * 2, this.timing.reconnect.max);
        await this.wakeup.sleep(delay);
      }
    }
  }

  /** One connection's life: returns on stop or lost lock, throws when the connection fails. */
  private async session(): Promise<void> {
    this.setState('connecting');
    const { host, port, secure, user, pass } = this.endpoint;
    const client = new ImapFlow({
      host,
      port,
      secure,
      auth: { user, pass },
      logger: false,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      // A NOOP goes out every poll interval, so a much longer silence means the connection is dead, whichever
      // command it hangs in (a frozen FETCH, not only the NOOP).
      socketTimeout: Math.max(10_000, this.timing.poll * 3),
      // Enter IDLE soon after each check, so new mail is announced at once rather than at the next poll.
      autoIdleDelay: 1000,
    });
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      this.wakeup.wake();
    };
    client.on('error', fail);
    client.on('close', () => fail(new Error('connection closed')));
    client.on('exists', () => this.wakeup.wake());
    try {
      await client.connect();
      await client.mailboxOpen(this.mailbox);
      this.setState('connected');
      this.backoff = this.timing.reconnect.initial;
      while (this.holding()) {
        await this.check(client);
        await this.wakeup.sleep(this.timing.poll);
        if (failure) throw failure;
        if (!this.holding()) break;
        // A silent connection (no close event, no answer) shows itself here.
        await within(client.noop(), this.timing.answer, 'NOOP').catch((error: Error) => fail(error));
        if (failure) throw failure;
      }
    } finally {
      client.removeAllListeners();
      client.on('error', () => undefined); // late socket errors of a client we are done with
      if (failure) client.close();
      else await within(client.logout(), this.timing.answer, 'LOGOUT').catch(() => client.close());
    }
  }

  private async check(client: ImapFlow): Promise<void> {
    if (!client.mailbox) throw new Error('mailbox not selected');
    const uidValidity = String(client.mailbox.uidValidity);
    const { uid: last, reset } = await this.position.read(uidValidity);
    if (reset)
      this.o.logger?.info(
        { mailbox: this.mailbox, uidValidity },
        'mailbox UIDVALIDITY changed; handing on from the start',
      );
    const handedOn = await this.handOnNew(client, uidValidity, last);
    await fileDecidedMessages(client, handedOn, (uid) => this.o.fileOutcome(uid, uidValidity), this.o.logger);
  }

  /** Hands on messages above `last` in UID order; returns the highest UID handed on. */
  private async handOnNew(client: ImapFlow, uidValidity: string, last: number): Promise<number> {
    if (!client.mailbox || client.mailbox.exists === 0) return last;
    const fresh: Array<{ uid: number; size: number; messageId?: string }> = [];
    // `n:*` always includes the highest UID, even when it is below n.
    for await (const m of client.fetch(`${last + 1}:*`, { uid: true, envelope: true, size: true }, { uid: true })) {
      if (m.uid > last)
        fresh.push({
          uid: m.uid,
          size: m.size ?? 0,
          ...(m.envelope?.messageId && { messageId: m.envelope.messageId }),
        });
    }
    fresh.sort((a, b) => a.uid - b.uid);
    for (const m of fresh) {
      if (!this.holding()) break;
      // Only the first maxMessageBytes are fetched: a 20 MB message never lands in memory whole.
      const fetched = await client.fetchOne(
        String(m.uid),
        { source: { start: 0, maxLength: this.maxMessageBytes } },
        { uid: true },
      );
      if (!fetched) continue; // expunged by someone else meanwhile
      if (m.size > this.maxMessageBytes)
        this.o.logger?.warn({ uid: m.uid, size: m.size, kept: this.maxMessageBytes }, 'message cut to maxMessageBytes');
      const source = fetched.source ? Buffer.from(fetched.source) : Buffer.alloc(0);
      try {
        await this.o.onMessage({ uid: m.uid, uidValidity, source, ...(m.messageId && { messageId: m.messageId }) });
      } catch (error) {
        // Later messages wait too, so the order holds; the next check tries this one again.
        this.o.logger?.warn({ uid: m.uid, err: (error as Error).message }, 'hand-off failed; retried next check');
        break;
      }
      if (!(await this.position.advance(uidValidity, m.uid))) {
        this.lockLost = true;
        break;
      }
      last = m.uid;
    }
    return last;
  }
}
