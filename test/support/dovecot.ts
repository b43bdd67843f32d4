import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../src/demo/redis.ts';

export interface ListedMessage {
  uid: number;
  subject?: string;
  messageId?: string;
}

export interface PrivateDovecot {
  host: string;
  port: number;
  users: Record<string, string>;
  /** `imap://user:pass@127.0.0.1:port`, user and password percent-encoded. */
  url(user: string): string;
  /** Appends as that user; the folder is created if missing. */
  append(user: string, raw: string | Buffer, folder?: string): Promise<void>;
  /** Messages of a folder in UID order; a folder that does not exist has none. */
  list(user: string, folder: string): Promise<ListedMessage[]>;
  /** Runs `fn` with a fresh logged-in client of that user (for what append and list do not cover). */
  session<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
  /** Same port, same mail. */
  restart(): Promise<void>;
  /** Stops and removes the temp dir. */
  dispose(): Promise<void>;
}

const NOBODY = 65534;
const NOGROUP = 65534;
const HOST = '127.0.0.1';

// Dovecot 2.3 setting names (Debian bookworm ships 2.3.19). Everything lives in `dir`, so nothing needs
// the system's root-only paths; Dovecot itself runs as root (it must switch to nobody for mail access).
function config(dir: string, port: number): string {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
listen = ${HOST}
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests of refused logins need no brute-force delay.
auth_failure_delay = 0
mail_location = maildir:${dir}/mail/%u
mail_uid = ${NOBODY}
mail_gid = ${NOGROUP}
first_valid_uid = 0
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
mail_privileged_group =
service imap-login {
  chroot =
  inet_listener imap {
    address = ${HOST}
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
  default_fields = uid=${NOBODY} gid=${NOGROUP} home=${dir}/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
`;
}

/** True once something on the port greets like an IMAP server. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (d) => done(d.toString().startsWith('* OK')));
    socket.once('error', () => done(false));
    setTimeout(() => done(false), 500).unref();
  });
}

/** Ids of the live processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        // Fields after the parenthesised command name: state, ppid, …
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function passwdFile(dir: string, users: Record<string, string>): string {
  return Object.entries(users)
    .map(([user, pass]) => {
      // The passwd-file format is colon-separated; a user name must also be a safe directory name.
      if (!/^[\w.@+-]+$/.test(user)) throw new Error(`dovecot: unusable user name ${JSON.stringify(user)}`);
      if (/[:\n]/.test(pass)) throw new Error(`dovecot: the password of ${user} must not contain ':' or a line break`);
      return `${user}:{PLAIN}${pass}:${NOBODY}:${NOGROUP}::${dir}/mail/${user}::\n`;
    })
    .join('');
}

/** A real Dovecot, run as a plain child process from a config in a temp dir; users log in with plain passwords. */
export async function startDovecot(
  users: Record<string, string> = { 'activate@example.net': 'secret' },
): Promise<PrivateDovecot> {
  const passwd = (dir: string) => passwdFile(dir, users);
  passwd('/check'); // fail before anything is created
  const dir = mkdtempSync(join(tmpdir(), 'lc-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub), { mode: 0o755 });
  chownSync(join(dir, 'mail'), NOBODY, NOGROUP);
  writeFileSync(join(dir, 'passwd'), passwd(dir), { mode: 0o644 });
  const port = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, port));

  let child: ChildProcess | undefined;
  // Dovecot's imap processes outlive their master; a stopped server must drop its clients' connections like a
  // real outage does, so they are ended too (by id, as children of the master we started).
  const signalAll = (signal: NodeJS.Signals, pids: number[]) => {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone already */
      }
    }
  };
  // A test process that dies without stop() must not leave a Dovecot behind.
  const killOnExit = () => {
    if (child?.pid) signalAll('SIGKILL', [child.pid, ...childrenOf(child.pid)]);
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    const c = child;
    if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return;
    const children = childrenOf(c.pid);
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await exited;
    signalAll('SIGKILL', children);
    for (let i = 0; i < 50 && (await answers(port)); i++) await sleep(100);
  };
  const start = async () => {
    const c = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    c.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    c.stderr!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    for (let i = 0; i < 100 && c.exitCode === null; i++) {
      if (await answers(port)) return;
      await sleep(100);
    }
    await stop();
    let log = '';
    try {
      log = readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-2000);
    } catch {
      /* no log written yet */
    }
    throw new Error(`dovecot did not start on port ${port} (config ${dir}/dovecot.conf):\n${out}\n${log}`);
  };
  try {
    await start();
  } catch (error) {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const session = async <T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: HOST, port, secure: false, auth: { user, pass: users[user] ?? '' }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const list = (user: string, folder: string) =>
    session(user, async (c) => {
      if (!(await c.list()).some((box) => box.path === folder)) return [];
      const box = await c.mailboxOpen(folder, { readOnly: true });
      const out: ListedMessage[] = [];
      if (box.exists === 0) return out;
      for await (const m of c.fetch('1:*', { uid: true, envelope: true })) {
        out.push({
          uid: m.uid,
          ...(m.envelope?.subject && { subject: m.envelope.subject }),
          ...(m.envelope?.messageId && { messageId: m.envelope.messageId }),
        });
      }
      return out.sort((a, b) => a.uid - b.uid);
    });

  return {
    host: HOST,
    port,
    users,
    url: (user) => `imap://${encodeURIComponent(user)}:${encodeURIComponent(users[user] ?? '')}@${HOST}:${port}`,
    append: (user, raw, folder = 'INBOX') =>
      session(user, async (c) => {
        if (folder !== 'INBOX') await c.mailboxCreate(folder);
        await c.append(folder, raw);
      }),
    list,
    session,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
