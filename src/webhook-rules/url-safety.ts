import { BlockList, isIP } from 'node:net';

/**
 * Where the service may POST: only to the public internet, so a webhook URL cannot reach into the network the service
 * runs in (SSRF). Checked on the URL at registration and on every resolved address at send time.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

function blockList(ranges: Array<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, network.includes(':') ? 'ipv6' : 'ipv4');
  return list;
}

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched by the IPv4 ranges too: BlockList maps them.
const RANGES: Array<[Exclude<AddressClass, 'public'>, BlockList]> = [
  [
    'loopback',
    blockList([
      ['127.0.0.0', 8],
      ['::1', 128],
    ]),
  ],
  [
    'private',
    blockList([
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10],
      ['fc00::', 7],
    ]),
  ],
  [
    'link-local',
    blockList([
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ]),
  ],
  [
    'reserved',
    blockList([
      ['0.0.0.0', 8],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
      ['::', 128],
      ['64:ff9b::', 96],
      ['100::', 64],
      ['2001:db8::', 32],
      ['ff00::', 8],
    ]),
  ],
];

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return RANGES.find(([, list]) => list.check(address, type))?.[0] ?? 'public';
}

/**
 * Resolves a host name to its addresses (the system resolver in production; tests may point at a DNS server of their
 * own).
 */
export type Resolve = (hostname: string) => Promise<string[]>;

export interface UrlPolicy {
  /** WEBHOOK_ALLOW_LOOPBACK: tests and local development may send to 127.0.0.1/::1/localhost over plain http. */
  allowLoopback: boolean;
}

/** Why an address may not be sent to, or undefined when it may. */
export function addressProblem(address: string, policy: UrlPolicy): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'public' || (kind === 'loopback' && policy.allowLoopback)) return undefined;
  return `${address} is a ${kind} address`;
}

/** The host as a bare IP address when the URL names one (URL keeps IPv6 in brackets). */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) ? bare : undefined;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.']);

/**
 * Checks a URL before anything is resolved: its form, scheme and (for an IP literal) its address. Plain `http://` only
 * to a loopback host when loopback is allowed. Returns the problems, empty when the URL may be registered.
 */
export function urlProblems(raw: string, policy: UrlPolicy): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['must be an absolute URL'];
  }
  const problems: string[] = [];
  const literal = literalAddress(url.hostname);
  const loopbackHost = literal ? classifyAddress(literal) === 'loopback' : LOOPBACK_NAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback && loopbackHost)) {
    problems.push(
      policy.allowLoopback ? 'must be an https:// URL (http:// only to a loopback host)' : 'must be an https:// URL',
    );
  }
  if (url.username || url.password) problems.push('must not carry a user name or password');
  if (url.hash) problems.push('must not have a #fragment');
  if (literal) {
    const problem = addressProblem(literal, policy);
    if (problem) problems.push(`must not point at a non-public address: ${problem}`);
  }
  if (raw.length > 2048) problems.push('must be at most 2048 characters');
  return problems;
}

/** Every address a name resolves to must be allowed: one bad answer refuses the name (a resolver may rotate them). */
export function resolvedProblem(hostname: string, addresses: string[], policy: UrlPolicy): string | undefined {
  if (addresses.length === 0) return `${hostname} does not resolve`;
  const problems = addresses.map((a) => addressProblem(a, policy)).filter(Boolean);
  return problems.length ? `${hostname} resolves to a non-public address: ${problems.join('; ')}` : undefined;
}
