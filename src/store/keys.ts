// The one place that knows how Redis keys are laid out. Every key starts with the configured prefix.

export function storeKeys(prefix: string) {
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  return {
    /** BullMQ's own prefix: queues live under `${prefix}:q:${queueName}:…`. */
    queuePrefix: k('q'),
    event: (eventId: string) => k('event', eventId),
    order: (orderNumber: string) => k('order', orderNumber),
    orderEntitlements: (orderNumber: string) => k('order', orderNumber, 'ssrns'),
    orderFulfillments: (orderNumber: string) => k('order', orderNumber, 'fulfillments'),
    orderDeliveries: (orderNumber: string) => k('order', orderNumber, 'deliveries'),
    orderResends: (orderNumber: string) => k('order', orderNumber, 'resends'),
    entitlement: (ssrn: string) => k('ent', ssrn),
    activationCode: (code: string) => k('code', code),
    fulfillment: (id: string) => k('ful', id),
    certificate: (fulfillmentId: string) => k('ful', fulfillmentId, 'pdf'),
    delivery: (id: string) => k('dlv', id),
    /** Issued keys of one entitlement: hash device → IssuedKey JSON. */
    issuedKeys: (ssrn: string) => k('ent', ssrn, 'keys'),
    activations: (ssrn: string) => k('ent', ssrn, 'activations'),
    activationFailures: (sender: string) => k('actfail', sender),
    activationOutcome: (uidValidity: string, uid: number) => k('actmsg', uidValidity, String(uid)),
    /** The raw inbound message (capped), kept until its request is answered. */
    activationMessage: (uidValidity: string, uid: number) => k('actmsg', uidValidity, String(uid), 'raw'),
    audit: k('audit'),
    /** The activation mailbox watchers' connection states, one field per process (watcher-state.ts). */
    imapState: k('imap', 'watchers'),
    /** A signed-in browser's session, by the SHA-256 of its id: a look at Redis yields no usable session id. */
    session: (idDigest: string) => k('session', idDigest),
    /** Rate-limit counters of @fastify/rate-limit, one namespace per limit (sessions.ts, rate-limits.ts). */
    rateLimit: (limit: string, subject: string) => k('rl', limit, subject),
    /** Fulfillments accepted but not yet fanned out: the start-up reconciler re-schedules these. */
    pendingFulfillments: k('pending-fulfillments'),
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
