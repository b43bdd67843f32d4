import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  literalAddress,
  resolvedProblem,
  urlProblems,
  type Resolve,
  type UrlPolicy,
} from '../webhook-rules/url-safety.ts';

export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export type PostOutcome = 'delivered' | 'http-error' | 'timeout' | 'network-error' | 'refused';

export interface PostResult {
  outcome: PostOutcome;
  statusCode?: number;
  /** The first KB of the answer, as text. */
  body?: string;
  error?: string;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  policy: UrlPolicy;
  resolve: Resolve;
}

export const RESPONSE_KEPT_BYTES = 1024;

// Connections to an endpoint are reused; a pooled socket is connected to an address that was checked when it was
// opened.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

class Timeout extends Error {}

type Answer = Omit<PostResult, 'durationMs'>;

/**
 * POSTs a webhook without ever reaching a non-public address: the name is resolved once, every address checked, and
 * the connection made to the checked address (pinned), so a second resolution cannot be steered elsewhere (DNS
 * rebinding). Redirects are answers like any other non-2xx: never followed. The whole exchange, name resolution
 * included, is bounded by `timeoutMs`.
 */
export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Answer): PostResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  const problems = urlProblems(target, options.policy);
  if (problems.length) return done({ outcome: 'refused', error: `url ${problems.join('; ')}` });
  const url = new URL(target);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), options.timeoutMs);
  });
  let sending: ReturnType<typeof send> | undefined;
  try {
    const addresses = await addressesOf(url, options.resolve, deadline);
    const problem = resolvedProblem(url.hostname, addresses, options.policy);
    if (problem) return done({ outcome: 'refused', error: problem });
    sending = send(url, addresses[0]!, headers, body);
    return done(await Promise.race([sending.answer, deadline]));
  } catch (error) {
    if (error instanceof Timeout) {
      sending?.destroy();
      return done({ outcome: 'timeout', error: `no answer within ${options.timeoutMs} ms` });
    }
    return done({ outcome: 'network-error', error: (error as Error).message || String(error) });
  } finally {
    clearTimeout(timer);
  }
}

/** The host's addresses (none when it does not resolve); only the deadline's timeout is thrown. */
async function addressesOf(url: URL, resolve: Resolve, deadline: Promise<never>): Promise<string[]> {
  const literal = literalAddress(url.hostname);
  if (literal) return [literal];
  return Promise.race([resolve(url.hostname), deadline]).catch((error: unknown) => {
    if (error instanceof Timeout) throw error;
    return [] as string[];
  });
}

/** Sends the POST to `address`, whatever the name resolves to by then. */
function send(url: URL, address: string, headers: Record<string, string>, body: string) {
  const family = isIP(address);
  const pinned = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    opts?.all ? cb(null, [{ address, family }]) : cb(null, address, family)) as unknown as LookupFunction;
  const client = url.protocol === 'https:' ? https : http;
  let request: http.ClientRequest | undefined;
  const answer = new Promise<Answer>((resolve, reject) => {
    request = client.request(
      url,
      {
        method: 'POST',
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: pinned,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'license-courier-webhooks',
        },
      },
      (res) => readAnswer(res, resolve, reject),
    );
    request.on('error', reject);
    request.end(body);
  });
  return { answer, destroy: () => request?.destroy() };
}

/** The status and the first RESPONSE_KEPT_BYTES of the body. */
function readAnswer(res: http.IncomingMessage, resolve: (answer: Answer) => void, reject: (error: Error) => void) {
  const chunks: Buffer[] = [];
  let kept = 0;
  const finish = () => {
    const status = res.statusCode ?? 0;
    const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString('utf8');
    if (status >= 200 && status < 300) return resolve({ outcome: 'delivered', statusCode: status, body: text });
    const location = status >= 300 && status < 400 && res.headers.location;
    resolve({
      outcome: 'http-error',
      statusCode: status,
      body: text,
      error: location ? `HTTP ${status}: redirect to ${location} not followed` : `HTTP ${status}`,
    });
  };
  res.on('data', (chunk: Buffer) => {
    if (kept < RESPONSE_KEPT_BYTES) chunks.push(chunk);
    kept += chunk.length;
    // Enough kept: stop reading a long answer rather than download it.
    if (kept >= RESPONSE_KEPT_BYTES) {
      res.destroy();
      finish();
    }
  });
  res.on('end', finish);
  res.on('error', reject);
}
