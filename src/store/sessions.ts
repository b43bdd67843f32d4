import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Role } from '../config.ts';
import type { StoreKeys } from './keys.ts';

/** Who a browser signed in as; never the token itself. */
export interface StoredSession {
  name: string;
  role: Role;
  createdAt: string;
}

const ID = /^[A-Za-z0-9_-]{43}$/;
const digest = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Server-side sessions of the console and the queue dashboard. The id is 256 random bits, made here and only here, so
 * a browser cannot bring one of its own (session fixation). Each read slides the idle expiry; a session also ends
 * `maxSeconds` after sign-in however busy it is.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly idleSeconds: number,
    private readonly maxSeconds: number,
  ) {}

  async create(session: Omit<StoredSession, 'createdAt'>, now: Date): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const record: StoredSession = { name: session.name, role: session.role, createdAt: now.toISOString() };
    await this.redis.set(this.keys.session(digest(id)), JSON.stringify(record), 'EX', this.idleSeconds);
    return id;
  }

  /** The session of `id`, its idle expiry renewed; undefined when unknown, idle too long, or past its lifetime. */
  async read(id: string, now: Date): Promise<StoredSession | undefined> {
    if (!ID.test(id)) return undefined;
    const key = this.keys.session(digest(id));
    const raw = await this.redis.getex(key, 'EX', this.idleSeconds);
    if (raw === null) return undefined;
    const session = JSON.parse(raw) as StoredSession;
    if (now.getTime() - Date.parse(session.createdAt) < this.maxSeconds * 1000) return session;
    await this.redis.del(key);
    return undefined;
  }

  async destroy(id: string): Promise<void> {
    if (ID.test(id)) await this.redis.del(this.keys.session(digest(id)));
  }
}
