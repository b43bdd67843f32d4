import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  /** When the sink accepted it (ms since epoch). */
  at: number;
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** Decides a scripted answer per recipient or message; undefined accepts. */
export type Responder = (ctx: {
  recipient?: string;
  messageNumber: number;
  raw?: Buffer;
}) => { code: number; message: string } | undefined;

export interface SmtpSink {
  port: number;
  url: string;
  messages: ReceivedMessage[];
  /** Scripted failures at RCPT TO (per recipient) and at end of DATA (per message). */
  onRecipient: Responder;
  onData: Responder;
  /** While true, messages are read but never answered: the client waits, as with a server that hangs after DATA. */
  paused: boolean;
  /** Codes of connections that broke mid-conversation (ECONNRESET when a client dies). */
  connectionErrors: string[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A real SMTP server in-process (smtp-server), keeping every accepted message parsed for assertions. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  let dataCount = 0;
  const sink: SmtpSink = {
    port: 0,
    url: '',
    messages: [],
    onRecipient: () => undefined,
    onData: () => undefined,
    paused: false,
    connectionErrors: [],
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (sink.messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${sink.messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return sink.messages;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    // Any credentials are accepted, over plain text: a test server on loopback, checking what clients send.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const answer = sink.onRecipient({ recipient: address.address, messageNumber: dataCount });
      callback(answer ? smtpError(answer.code, answer.message) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        if (sink.paused) return;
        const answer = sink.onData({ messageNumber: ++dataCount, raw });
        if (answer) return callback(smtpError(answer.code, answer.message));
        sink.messages.push({
          at: Date.now(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      // smtp-server reports a client that vanished mid-conversation (a worker killed by a fault test) as an 'error'
      // event; a mail server notes it and carries on, and without a listener it would crash the test process.
      server.on('error', (error: NodeJS.ErrnoException) => sink.connectionErrors.push(error.code ?? error.message));
      resolve();
    });
  });
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  sink.port = address.port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  return sink;
}
