import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { SmtpPool } from '../../src/mail/smtp-pool.ts';

// The pool against a real SMTP server (smtp-server, in-process), scripted per test: what arrives, over how many
// connections, and what the pool does when the server refuses a message or drops a connection.

interface Script {
  /**
   * Called at MAIL FROM with the number of this message on its connection (1-based); 'drop' closes the socket
   * unanswered.
   */
  onMail?: (nth: number) => 'drop' | undefined;
  onRcpt?: (address: string) => number | undefined;
  /** Required credentials; without them any client is served unauthenticated. */
  credentials?: { user: string; pass: string };
}

interface Server {
  port: number;
  received: Buffer[];
  connections: number;
  /** Sessions ended, by either side. */
  ended: number;
  close(): Promise<void>;
}

const servers: Server[] = [];
const pools: SmtpPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(script: Script = {}): Promise<Server> {
  const perSession = new Map<string, number>();
  const state: Server = { port: 0, received: [], connections: 0, ended: 0, close: async () => undefined };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !script.credentials,
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onClose() {
      state.ended++;
    },
    onAuth(auth, _session, callback) {
      const ok = auth.username === script.credentials?.user && auth.password === script.credentials?.pass;
      callback(ok ? null : new Error('Invalid credentials'), ok ? { user: auth.username } : undefined);
    },
    onMailFrom(_address, session: SMTPServerSession, callback) {
      const nth = (perSession.get(session.id) ?? 0) + 1;
      perSession.set(session.id, nth);
      if (script.onMail?.(nth) === 'drop') {
        // The server closing a kept connection just as the client reuses it.
        const connections = (
          server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }
        ).connections;
        for (const c of connections) if (c.session === session) c._socket.destroy();
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      const code = script.onRcpt?.(address.address);
      callback(code ? Object.assign(new Error(`refused ${address.address}`), { responseCode: code }) : undefined);
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(state);
  return state;
}

function pool(port: number, options: Partial<ConstructorParameters<typeof SmtpPool>[0]> = {}): SmtpPool {
  const p = new SmtpPool({
    connection: { host: '127.0.0.1', port, socketTimeout: 5_000 },
    size: 2,
    maxMessages: 100,
    idleTimeoutMs: 60_000,
    ...options,
  });
  pools.push(p);
  return p;
}

const message = (n: number) =>
  Buffer.from(
    `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${n}\r\n\r\n.line starting with a dot\r\nbody ${n}\r\n`,
  );
const envelope = (to = 'b@example.com') => ({ from: 'a@example.com', to: [to] });

describe('SmtpPool', () => {
  it('sends every message once, intact, over no more connections than its size', async () => {
    const server = await startServer();
    const p = pool(server.port, { size: 3 });
    const infos = await Promise.all(Array.from({ length: 30 }, (_, i) => p.send(envelope(), message(i))));
    expect(infos.every((i) => /^250/.test(i.response))).toBe(true);
    expect(server.received.map((r) => r.toString()).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => message(i).toString()).sort(),
    );
    expect(server.connections).toBeLessThanOrEqual(3);
  });

  it('replaces a connection after maxMessages', async () => {
    const server = await startServer();
    const p = pool(server.port, { size: 1, maxMessages: 4 });
    for (let i = 0; i < 10; i++) await p.send(envelope(), message(i));
    expect(server.connections).toBe(3);
  });

  it('closes a connection left idle for idleTimeoutMs, and opens a new one for the next message', async () => {
    const server = await startServer();
    const p = pool(server.port, { size: 1, idleTimeoutMs: 100 });
    await p.send(envelope(), message(1));
    await p.send(envelope(), message(2));
    expect(server.ended).toBe(0);
    await vi.waitFor(() => expect(server.ended).toBe(1), { timeout: 3_000 });
    await p.send(envelope(), message(3));
    expect(server.received).toHaveLength(3);
    expect(server.connections).toBe(2);
  });

  it('rejects a refused recipient with the server reply, and keeps the connection for the next message', async () => {
    const server = await startServer({ onRcpt: (a) => (a.startsWith('gone') ? 550 : undefined) });
    const p = pool(server.port, { size: 1 });
    await p.send(envelope(), message(1));
    await expect(p.send(envelope('gone@example.com'), message(2))).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
    await p.send(envelope(), message(3));
    expect(server.received).toHaveLength(2);
    expect(server.connections).toBe(1);
  });

  it('sends again over a new connection when a kept one was closed before any of the message went out', async () => {
    const server = await startServer({ onMail: (nth) => (nth === 2 ? 'drop' : undefined) });
    const p = pool(server.port, { size: 1 });
    await p.send(envelope(), message(1));
    await p.send(envelope(), message(2));
    expect(server.received.map(String)).toEqual([message(1).toString(), message(2).toString()]);
    expect(server.connections).toBe(2);
  });

  it('does not retry on a new connection when the first one fails: the caller decides', async () => {
    const server = await startServer({ onMail: () => 'drop' });
    const p = pool(server.port, { size: 1 });
    await expect(p.send(envelope(), message(1))).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(server.connections).toBe(1);
  });

  it('logs in with the credentials it is given, and reports wrong ones', async () => {
    const credentials = { user: 'courier', pass: 's3cret' };
    const server = await startServer({ credentials });
    await pool(server.port, { auth: credentials }).send(envelope(), message(1));
    expect(server.received).toHaveLength(1);
    await expect(
      pool(server.port, { auth: { user: 'courier', pass: 'wrong' } }).send(envelope(), message(2)),
    ).rejects.toMatchObject({ code: 'EAUTH' });
  });

  it('verifies against a server that answers, and fails against a port nothing listens on', async () => {
    const server = await startServer();
    await expect(pool(server.port).verify()).resolves.toBeUndefined();
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    await expect(pool(closed).verify()).rejects.toMatchObject({ code: 'ESOCKET' });
  });

  it('refuses sends once closed', async () => {
    const server = await startServer();
    const p = pool(server.port);
    await p.send(envelope(), message(1));
    p.close();
    await expect(p.send(envelope(), message(2))).rejects.toThrow(/closed/);
  });
});
