import { Redis } from 'ioredis';

/**
 * A Redis connection for queues and the store. `maxRetriesPerRequest: null` keeps commands waiting through a Redis
 * restart instead of failing them (BullMQ requires it for workers); the retry strategy caps reconnect backoff at 2 s.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
  });
}

/** BullMQ silently loses jobs when Redis evicts keys; anything but noeviction is worth a loud warning. */
export async function evictionPolicyProblem(redis: Redis): Promise<string | undefined> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    return policy === 'noeviction'
      ? undefined
      : `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued mail can be evicted and lost`;
  } catch {
    return undefined; // managed Redis often forbids CONFIG; nothing to check then
  }
}

export async function pingRedis(redis: Redis): Promise<void> {
  await redis.ping();
}

/** True when a Redis answers PING at the URL within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
