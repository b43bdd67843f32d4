import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/** A mailbox watcher's connection, as readiness reports it. */
export type WatcherState = 'connecting' | 'connected' | 'disconnected' | 'waiting-for-lock';

/** Long enough to outlive a few missed refreshes, short enough that a dead watcher soon stops counting. */
const STATE_TTL_MS = 90_000;

interface Entry {
  state: WatcherState;
  /** Epoch ms after which the entry no longer counts: its process stopped refreshing it. */
  until: number;
}

export interface WatcherStatePublisher {
  update(state: WatcherState): void;
  stop(): Promise<void>;
}

/**
 * Keeps a mailbox watcher's connection state in Redis, where readiness reads it (the API may be another process),
 * refreshed while the watcher lives. With several workers one holds the mailbox and the others wait for its lock, so
 * each process writes only its own field of the hash at `key`: one of them stopping or waiting never overwrites or
 * removes what the one holding the mailbox reported.
 */
export function publishWatcherState(redis: Redis, key: string): WatcherStatePublisher {
  const field = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  let state: WatcherState | undefined;
  const publish = async () => {
    if (!state) return;
    const entry: Entry = { state, until: Date.now() + STATE_TTL_MS };
    await redis
      .multi()
      .hset(key, field, JSON.stringify(entry))
      .pexpire(key, STATE_TTL_MS)
      .exec()
      .catch(() => undefined);
  };
  const heartbeat = setInterval(async () => {
    await publish();
    await pruneStale(redis, key, Date.now()).catch(() => undefined);
  }, STATE_TTL_MS / 3);
  return {
    update(next) {
      state = next;
      void publish();
    },
    async stop() {
      clearInterval(heartbeat);
      await redis.hdel(key, field).catch(() => undefined);
    },
  };
}

const entries = async (redis: Redis, key: string) =>
  Object.entries(await redis.hgetall(key)).map(([field, raw]) => ({ field, ...(JSON.parse(raw) as Entry) }));

/**
 * Removes the fields of processes that stopped refreshing them (killed, not stopped): the others keep the hash alive,
 * so without this it would keep a field for every worker ever killed.
 */
export async function pruneStale(redis: Redis, key: string, now: number): Promise<void> {
  const stale = (await entries(redis, key)).filter((e) => e.until <= now).map((e) => e.field);
  if (stale.length) await redis.hdel(key, ...stale);
}

/** Most ready first: what readiness reports when no watcher is connected. */
const RANK: WatcherState[] = ['connected', 'connecting', 'disconnected', 'waiting-for-lock'];

/** The mailbox's state as the best of its live watchers report it; undefined when none is running. */
export async function readWatcherState(redis: Redis, key: string, now: number): Promise<WatcherState | undefined> {
  const live = (await entries(redis, key)).filter((e) => e.until > now).map((e) => e.state);
  return RANK.find((state) => live.includes(state));
}
