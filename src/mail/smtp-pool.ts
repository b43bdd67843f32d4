import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

// Stays instead of nodemailer's SMTPPool: messages leave as finished bytes (compose.ts), and SMTPPool's Mailer turns
// each back into a MIME tree streamed through a pipeline of transforms, for nothing (figures in the commit). This pool
// uses nodemailer's public SMTPConnection (protocol, STARTTLS, AUTH, dot-stuffing) and keeps what SMTPPool did that
// matters for delivery: a bounded number of connections, each reused for a bounded number of messages and closed
// when idle, a session reset after the server refuses one message, and a message retried once on a new connection
// when a kept connection turns out to have been closed by the server before any of it went out.

export type Envelope = SMTPConnection.Envelope;
export type SentInfo = SMTPConnection.SentMessageInfo;

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

export interface SmtpPoolOptions {
  /** Host, port, TLS, client name and timeouts, as SMTPConnection takes them. */
  connection: SMTPConnection.Options;
  auth?: SMTPConnection.AuthenticationCredentials;
  /** Connections open at most. */
  size: number;
  /** Messages per connection before it is closed and a new one opened: servers limit messages per session. */
  maxMessages: number;
  /** A connection unused this long is closed (QUIT), before the server drops it or a firewall forgets it. */
  idleTimeoutMs: number;
}

interface Pooled {
  connection: SMTPConnection;
  messages: number;
  gone: boolean;
  idleTimer?: NodeJS.Timeout;
}

/** Errors of the connection, not of the message: another connection may well succeed. */
const CONNECTION_ERRORS = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);

export class SmtpPool {
  private readonly idle: Pooled[] = [];
  private readonly waiting: Array<() => void> = [];
  private open = 0;
  private closed = false;

  constructor(private readonly options: SmtpPoolOptions) {}

  /** Sends one message; rejects with SMTPConnection's error (code, responseCode, response) when it was not accepted. */
  async send(envelope: Envelope, raw: Buffer, retried = false): Promise<SentInfo> {
    const pooled = await this.acquire();
    const reused = pooled.messages > 0;
    pooled.messages++;
    // A stream, not the buffer, so that readableDidRead tells whether any of the message reached the socket.
    const message = new Readable({
      read() {
        this.push(raw);
        this.push(null);
      },
    });
    try {
      const info = await new Promise<SentInfo>((resolve, reject) => {
        pooled.connection.send(envelope, message, (err, sent) => (err ? reject(err) : resolve(sent)));
      });
      this.release(pooled);
      return info;
    } catch (error) {
      const e = error as SmtpError;
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !pooled.gone) {
        // The server refused this message, not the session: reset it and keep the connection.
        pooled.connection.reset((err) => (err ? this.discard(pooled) : this.release(pooled)));
        throw error;
      }
      this.discard(pooled);
      if (reused && !retried && !message.readableDidRead && CONNECTION_ERRORS.has(e.code ?? ''))
        return this.send(envelope, raw, true);
      throw error;
    }
  }

  /** Opens a connection, logs in and closes it again: a readiness check. */
  async verify(): Promise<void> {
    this.discard(await this.connect(), 'quit');
  }

  /** Closes idle connections now and the others as their sends finish; later sends fail. */
  close(): void {
    this.closed = true;
    for (const pooled of [...this.idle]) this.discard(pooled, 'quit');
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async acquire(): Promise<Pooled> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error('SMTP pool is closed'), { code: 'ECONNECTION' });
      const ready = this.idle.pop();
      if (ready) {
        clearTimeout(ready.idleTimer);
        return ready;
      }
      if (this.open < this.options.size) return this.connect();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async connect(): Promise<Pooled> {
    this.open++;
    const connection = new SMTPConnection(this.options.connection);
    const pooled: Pooled = { connection, messages: 0, gone: false };
    // An idle connection that times out or is dropped leaves the pool; a send in flight gets the error itself.
    connection.on('error', () => this.discard(pooled));
    connection.on('end', () => this.discard(pooled));
    // Until it is ready, a failure may come as the callback's error or only as an 'error' event (a refused socket).
    let failed: (error: Error) => void = () => undefined;
    const setup = new Promise<never>((_, reject) => {
      failed = reject;
    });
    const onSetupError = (error: Error) => failed(error);
    connection.once('error', onSetupError);
    const step = (start: (done: (err?: Error | null) => void) => void) =>
      Promise.race([setup, new Promise<void>((resolve, reject) => start((err) => (err ? reject(err) : resolve())))]);
    try {
      await step((done) => connection.connect(done));
      const { auth } = this.options;
      // A copy: SMTPConnection writes what it derives from the credentials into the object it is given.
      if (auth) await step((done) => connection.login({ ...auth }, done));
      return pooled;
    } catch (error) {
      this.discard(pooled);
      throw error;
    } finally {
      connection.off('error', onSetupError);
    }
  }

  private release(pooled: Pooled): void {
    if (pooled.gone) return;
    if (this.closed || pooled.messages >= this.options.maxMessages) {
      this.discard(pooled, 'quit');
      return;
    }
    pooled.idleTimer = setTimeout(() => this.discard(pooled, 'quit'), this.options.idleTimeoutMs).unref();
    this.idle.push(pooled);
    this.waiting.shift()?.();
  }

  /** Takes a connection out of the pool for good: politely (QUIT) when it is healthy, else by closing the socket. */
  private discard(pooled: Pooled, how: 'quit' | 'close' = 'close'): void {
    if (pooled.gone) return;
    pooled.gone = true;
    clearTimeout(pooled.idleTimer);
    this.open--;
    const at = this.idle.indexOf(pooled);
    if (at >= 0) this.idle.splice(at, 1);
    if (how === 'quit') pooled.connection.quit();
    else pooled.connection.close();
    this.waiting.shift()?.();
  }
}
