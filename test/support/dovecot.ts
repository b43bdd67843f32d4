import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../src/demo/redis.ts';

export interface PrivateDovecot {
  host: string;
  port: number;
  users: Record<string, string>;
  url(user: string): string;
  append(user: string, raw: string | Buffer, folder?: string): Promise<void>;
  list(user: string, folder: string): Promise<Array<{ uid: number; subject?: string; messageId?: string }>>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

const NOBODY = 65534;
const NOGROUP = 65534;

function config(dir: string, port: number): string {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
mail_uid = ${NOBODY}
mail_gid = ${NOGROUP}
first_valid_uid = 0
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
mail_privileged_group =
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
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
  mailbox Processed {
    auto = create
  }
  mailbox Rejected {
    auto = create
  }
}
`;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (d) => { socket.destroy(); resolve(d.toString().startsWith('* OK')); });
    socket.once('error', () => resolve(false));
    setTimeout(() => { socket.destroy(); resolve(false); }, 500).unref();
  });
}

/** A real Dovecot, run as a plain child process from a config in a temp dir; users log in with plain passwords. */
export async function startDovecot(users: Record<string, string> = { 'activate@example.net': 'secret' }): Promise<PrivateDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub), { mode: 0o755 });
  chownSync(join(dir, 'mail'), NOBODY, NOGROUP);
  writeFileSync(join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}:${NOBODY}:${NOGROUP}::${dir}/mail/${u}::`).join('\n') + '\n', { mode: 0o644 });
  const port = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, port));

  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c; });
    child.stderr!.on('data', (c: Buffer) => { out += c; });
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = (() => { try { return readFileSync(join(dir, 'dovecot.log'), 'utf8'); } catch { return ''; } })();
    throw new Error(`dovecot did not start on port ${port}: ${out}\n${log.slice(-2000)}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill('SIGTERM'); });
    // Dovecot's own children (imap, auth) leave with the master; wait until the port is free again.
    for (let i = 0; i < 50 && (await answers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  };
  await start();

  const client = async <T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: users[user]! }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  return {
    host: '127.0.0.1',
    port,
    users,
    url: (user) => `imap://${encodeURIComponent(user)}:${encodeURIComponent(users[user]!)}@127.0.0.1:${port}`,
    append: (user, raw, folder = 'INBOX') => client(user, async (c) => { await c.append(folder, raw); }),
    list: (user, folder) => client(user, async (c) => {
      const lock = await c.getMailboxLock(folder);
      try {
        const out: Array<{ uid: number; subject?: string; messageId?: string }> = [];
        if ((c.mailbox as { exists: number }).exists === 0) return out;
        for await (const m of c.fetch('1:*', { uid: true, envelope: true })) {
          out.push({ uid: m.uid, ...(m.envelope?.subject && { subject: m.envelope.subject }), ...(m.envelope?.messageId && { messageId: m.envelope.messageId }) });
        }
        return out;
      } finally {
        lock.release();
      }
    }),
    stop,
    restart: async () => { await stop(); await start(); },
    dispose: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
