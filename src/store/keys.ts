// The one place that knows how Redis keys are laid out. Every key starts with the configured prefix. Redis holds
// queues, locks, rate limits and short-lived state only; the records are in PostgreSQL.

export function storeKeys(prefix: string) {
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  return {
    /** BullMQ's own prefix: queues live under `${prefix}:q:${queueName}:…`. */
    queuePrefix: k('q'),
    /** Failed activation attempts of one sender in the last hour (activation-limits.ts). */
    activationFailures: (sender: string) => k('actfail', sender),
    /** Resends of one order in one clock hour. */
    resendWindow: (orderNumber: string, hour: number) => k('order', orderNumber, 'resends', String(hour)),
    /** Answers of the last hour, per contact and per activation code (activation-limits.ts). */
    activationAnswersToContact: (contact: string) => k('actans', 'contact', contact),
    activationAnswersForCode: (code: string) => k('actans', 'code', code),
    /** Verification page requests from one client address in one minute. */
    verifyWindow: (client: string, minute: number) => k('verify', client, String(minute)),
    /** The activation mailbox watchers' connection states, one field per process (redis-watcher-state.ts). */
    imapState: k('imap', 'watchers'),
    /** Sends in flight to one webhook endpoint: sorted set holder → expiry (webhook-slots.ts). */
    webhookSlots: (endpointId: string) => k('webhook', endpointId, 'slots'),
    /**
     * A signed-in browser's session, by the SHA-256 of its id: a look at Redis yields no usable session id
     * (sessions.ts).
     */
    session: (idDigest: string) => k('session', idDigest),
    /** Rate-limit counters of @fastify/rate-limit, one namespace per limit (rate-limits.ts). */
    rateLimit: (limit: string, subject: string) => k('rl', limit, subject),
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
