import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpError } from '../api/errors.ts';
import { InvalidInputError, RateLimitedError } from '../errors.ts';
import { parseSelfServiceRequest, type SelfServiceRequest } from '../support/self-service.ts';
import { field } from './form.ts';
import type { ConsoleContext } from './context.ts';
import { sendPage, stringsFor } from './scope.ts';

const HOUR_MS = 3_600_000;

/** The one answer to every valid request: it cannot tell whether the order exists or the address is on it. */
export const SELF_SERVICE_ANSWER = {
  status: 'accepted',
  message: 'If the address is a contact of that order, its latest Fulfillment Email is on its way to that address.',
} as const;
// Addresses and references are counted by digest: the counters' keys carry nothing a look at Redis could read.
const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

declare module 'fastify' {
  interface FastifyRequest {
    selfServiceInput: SelfServiceRequest | null;
  }
}

const isForm = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

type Limit = {
  name: string;
  check: (r: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;
};

/**
 * `GET /self-service/` and `POST /self-service/resend` (JSON or form). Whether the address is a contact of the order is
 * decided after the answer has gone out, so every valid request gets the same answer in the same time; what happened
 * goes to the audit log only. Limits per client, per address and per reference (fixed hourly windows in Redis).
 */
export function selfServiceRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.decorateRequest('selfServiceInput', null);
  const limits = selfServiceLimits(app, ctx);
  const afterAnswer = workAfterAnswer(app);

  const refused = (outcome: 'invalid' | 'limited', request: FastifyRequest, detail: Record<string, unknown>) =>
    afterAnswer(() => ctx.selfService.recordRefusal({ outcome, detail: { client: request.ip, ...detail } }));

  app.get('/', async (request, reply) => selfServicePage(ctx, request, reply, {}));

  // Forms carry a CSRF token; JSON needs none: a browser cannot send it cross-site without CORS, which this never
  // allows.
  const csrfForForms = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) =>
    isForm(request) ? app.csrfProtection(request, reply, done) : done();

  app.post('/resend', { bodyLimit: 4096, preHandler: csrfForForms }, async (request, reply) => {
    const form = isForm(request);
    // The form's fields without its CSRF token and its key: the request schema is strict.
    const body = form
      ? { reference: field(request.body, 'reference'), email: field(request.body, 'email') }
      : request.body;
    const key = form
      ? { value: field(request.body, 'requestKey'), field: 'requestKey' }
      : { value: request.headers['idempotency-key'] as string | undefined, field: 'Idempotency-Key' };
    try {
      await exceeded(limits[0]!, request);
      request.selfServiceInput = parseSelfServiceRequest(body, key);
      for (const l of limits.slice(1)) await exceeded(l, request);
    } catch (error) {
      const { reference, email } = request.selfServiceInput ?? {};
      refused(error instanceof RateLimitedError ? 'limited' : 'invalid', request, {
        ...(reference && { reference, email }),
        error: (error as Error).message,
      });
      if (!form) throw error;
      return refusedPage(ctx, request, reply, body, error);
    }
    const input = request.selfServiceInput;
    afterAnswer(() => ctx.selfService.resendToContact({ ...input, client: request.ip }));
    if (form) return selfServicePage(ctx, request, reply, { answered: true });
    return reply.code(202).send(SELF_SERVICE_ANSWER);
  });
}

/** The client's limit (checked before the body is parsed), then the address's and the reference's. */
function selfServiceLimits(app: FastifyInstance, ctx: ConsoleContext): Limit[] {
  const limit = (limitName: string, max: number, key: (request: FastifyRequest) => string) =>
    app.createRateLimit({ max, timeWindow: HOUR_MS, keyGenerator: key, limitName } as never);
  return [
    { name: 'client', check: limit('self-service-client', ctx.limits.perClientPerHour, (r) => digest(r.ip)) },
    {
      name: 'address',
      check: limit('self-service-address', ctx.limits.perAddressPerHour, (r) => digest(r.selfServiceInput!.email)),
    },
    {
      name: 'reference',
      check: limit('self-service-reference', ctx.limits.perReferencePerHour, (r) =>
        digest(r.selfServiceInput!.reference.toUpperCase()),
      ),
    },
  ];
}

/** Runs work that must not delay or shape the answer; finished before the server closes. */
function workAfterAnswer(app: FastifyInstance): (work: () => Promise<void>) => void {
  const pending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.all([...pending]);
  });
  return (work) => {
    const running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: Error) => app.log.error({ err: error.message }, 'self-service request failed after answering'))
      .finally(() => pending.delete(running));
    pending.add(running);
  };
}

function selfServicePage(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  data: Record<string, unknown>,
  status = 200,
) {
  const s = stringsFor(ctx.views, request);
  // Each form shown carries a key of its own: sent twice, it resends once.
  const page = { title: s.text('self.title'), section: s.text('self.title'), requestKey: randomUUID(), ...data };
  return sendPage(request, reply, ctx.views, 'self-service', s, page, status);
}

/** The form again, with what was typed and why it was refused. */
function refusedPage(ctx: ConsoleContext, request: FastifyRequest, reply: FastifyReply, body: unknown, error: unknown) {
  const answer = httpError(error);
  if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
  const s = stringsFor(ctx.views, request);
  return selfServicePage(
    ctx,
    request,
    reply,
    {
      reference: field(body, 'reference') ?? '',
      email: field(body, 'email') ?? '',
      problem: error instanceof RateLimitedError ? s.text('error.limited') : s.text('error.invalid'),
      ...(error instanceof InvalidInputError && { issues: answer.body.issues }),
    },
    answer.status,
  );
}

async function exceeded(limit: Limit, request: FastifyRequest): Promise<void> {
  const verdict = await limit.check(request);
  if (!verdict.isAllowed && verdict.isExceeded) {
    throw new RateLimitedError(
      `too many self-service requests for this ${limit.name}; try again later`,
      verdict.ttlInSeconds ?? 3600,
    );
  }
}
