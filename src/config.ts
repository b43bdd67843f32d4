import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import type { Brand } from './model.ts';

// Every setting, validated once at start-up. One line per problem, each naming the variable (contract section 4).

const url = (schemes: string[]) =>
  z.string().refine(
    (s) => {
      try {
        const u = new URL(s);
        return schemes.includes(u.protocol.replace(/:$/, '')) && u.hostname !== '';
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${schemes.join(' or ')} and a host`,
  );

/** A base URL without its trailing slashes, so that links are `${base}/path`; a loop, as `/\/+$/` is quadratic. */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Europe/Berlin');

const tokenList = z.string().transform((s, ctx) => {
  const tokens = new Map<string, { role: Role; name: string }>();
  s.split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const at = entry.lastIndexOf(':');
      const token = entry.slice(0, at);
      const role = entry.slice(at + 1);
      if (at < 1 || !ROLES.includes(role as Role)) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be token:role with role ${ROLES.join(', ')}` });
      } else if (token.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: tokens must be at least 16 characters` });
      } else tokens.set(token, { role: role as Role, name: `${role}-token-${i + 1}` });
    });
  return tokens;
});

export const ROLES = ['intake', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Days before the paid term ends; each a reminder. Listed in any order, kept longest first (the order they fall due).
const offsetList = z.string().transform((s, ctx) => {
  const days = s
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const bad = days.filter((d) => !/^\d{1,4}$/.test(d) || +d < 1 || +d > 3650);
  if (bad.length || days.length === 0)
    ctx.addIssue({ code: 'custom', message: 'must be whole numbers of days from 1 to 3650, separated by commas' });
  else if (new Set(days.map(Number)).size !== days.length)
    ctx.addIssue({ code: 'custom', message: 'must not name a day twice' });
  return days.map(Number).sort((a, b) => b - a);
});

/** Fastify's trustProxy: addresses, CIDR ranges or proxy-addr's names (loopback, linklocal, uniquelocal). */
const proxyList = z.string().transform((s, ctx) => {
  const entries = s
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const [address, bits, extra] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const valid =
      named || (isIP(address!) !== 0 && extra === undefined && (bits === undefined || /^\d{1,3}$/.test(bits)));
    if (!valid)
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be an IP address, a CIDR range, loopback, linklocal or uniquelocal`,
      });
  });
  return entries;
});

const domainList = z.string().transform((s) =>
  s
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean),
);

const envSchema = z.object({
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, _ or -')
    .default('lc'),
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  SMTP_POOL_SIZE: int(5, 1, 100),
  SMTP_TIMEOUT_MS: int(60_000, 1_000, 600_000),
  OUTBOX_DIR: z.string().min(1).default('./outbox'),
  MAIL_FROM: z.string().min(3).default('Licensing <licensing@localhost>'),
  IMAP_URL: url(['imap', 'imaps']).optional(),
  ACTIVATION_ADDRESS: z.string().includes('@', { message: 'must be an email address' }).optional(),
  ACTIVATION_FAILURES_PER_HOUR: int(5, 1, 1000),
  ACTIVATION_ANSWERS_PER_CONTACT_PER_HOUR: int(5, 1, 1000),
  ACTIVATION_ANSWERS_PER_CODE_PER_HOUR: int(10, 1, 1000),
  ACTIVATION_TRUSTED_AUTHSERV_ID: z
    .string()
    .regex(
      /^[A-Za-z0-9.-]{1,253}$/,
      'must be the authserv-id (host name) the receiving server writes in Authentication-Results',
    )
    .optional(),
  ACTIVATION_REQUIRE_DMARC: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  IMAP_POLL_INTERVAL_MS: int(30_000, 100, 3_600_000),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: int(8080, 0, 65535),
  API_TOKENS: tokenList.optional(),
  LICENSE_SIGNING_KEY: z.string().min(1).optional(),
  LICENSE_PUBLIC_KEY: z.string().min(1).optional(),
  PORTAL_URL: url(['https', 'http']).default('https://licensing.example.net'),
  // Where this service is reached from outside: certificates link to PUBLIC_URL/verify/{certificateNumber}.
  PUBLIC_URL: url(['https', 'http']).default('http://127.0.0.1:8080').transform(withoutTrailingSlashes),
  SUPPORT_EMAIL: z.string().includes('@', { message: 'must be an email address' }).default('support@example.net'),
  BRAND_NAME: z.string().min(1).max(80).default('License Courier'),
  PAPER_SIZE: z.enum(['A4', 'LETTER']).default('A4'),
  FULFILLMENT_TZ: timeZone.default('UTC'),
  SEND_RATE_PER_SECOND: int(100, 1, 100_000),
  SEND_CONCURRENCY: int(10, 1, 500),
  /** Megabytes of encoded attachments a worker keeps for the further recipients of a fulfillment. */
  PREPARED_CACHE_MB: int(8, 1, 4096),
  SEND_ATTEMPTS: int(10, 1, 50),
  SEND_BACKOFF_MS: int(180_000, 10, 86_400_000),
  RESEND_ALLOWED_DOMAINS: domainList.default([]),
  RESEND_SHARED_DOMAINS: domainList.default([]),
  RESENDS_PER_ORDER_PER_HOUR: int(10, 1, 10_000),
  VERIFY_REQUESTS_PER_MINUTE: int(30, 1, 100_000),
  TRUST_PROXY: proxyList.optional(),
  SESSION_IDLE_SECONDS: int(1800, 1, 86_400),
  SESSION_MAX_SECONDS: int(43_200, 60, 604_800),
  SELF_SERVICE_PER_ADDRESS_PER_HOUR: int(3, 1, 1000),
  SELF_SERVICE_PER_REFERENCE_PER_HOUR: int(5, 1, 1000),
  SELF_SERVICE_PER_CLIENT_PER_HOUR: int(20, 1, 100_000),
  SHUTDOWN_TIMEOUT_MS: int(30_000, 0, 600_000),
  RECONCILE_INTERVAL_MS: int(60_000, 1_000, 3_600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DKIM_DOMAIN: z.string().min(1).optional(),
  DKIM_SELECTOR: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  BOUNCE_IMAP_URL: url(['imap', 'imaps']).optional(),
  REMINDER_OFFSETS_DAYS: offsetList.default([90, 30, 7]),
  REMINDER_FROM: z.string().min(3).optional(),
  WEBHOOK_ALLOW_LOOPBACK: z
    .enum(['true', 'false'], 'must be true or false')
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 60_000),
  WEBHOOK_CONCURRENCY: int(50, 1, 1_000),
  WEBHOOK_ENDPOINT_CONCURRENCY: int(10, 1, 500),
  WEBHOOK_BACKOFF_MS: int(5_000, 10, 3_600_000),
  WEBHOOK_BACKOFF_MAX_MS: int(7_200_000, 10, 86_400_000),
  // The contract's "at least 24 hours" is the floor.
  WEBHOOK_RETRY_HOURS: int(24, 24, 24 * 30),
  WEBHOOK_DISABLE_AFTER_HOURS: int(72, 1, 24 * 90),
  WEBHOOK_RELAY_INTERVAL_MS: int(200, 10, 60_000),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  brand: Brand;
  /** The address activation requests go to: ACTIVATION_ADDRESS, else the IMAP user. */
  activationAddress?: string;
  mailFromAddress: string;
  /** REMINDER_FROM, else MAIL_FROM: the sender of subscription notices. */
  reminderFrom: string;
  reminderFromAddress: string;
}

function addressOf(mailbox: string): string {
  return (mailbox.match(/<([^<>]+)>/)?.[1] ?? mailbox).trim().toLowerCase();
}

/**
 * Reads settings from an environment; throws ConfigError listing every problem at once. Empty strings count as unset.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const dkim = [e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY].filter(Boolean).length;
  if (dkim !== 0 && dkim !== 3) problems.push('DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: set all three or none');
  for (const [name, value] of [
    ['MAIL_FROM', e.MAIL_FROM],
    ['REMINDER_FROM', e.REMINDER_FROM],
  ] as const) {
    if (value !== undefined && !/^[^@\s<>]+@[^@\s<>]+$/.test(addressOf(value)))
      problems.push(`${name}: must be an address, optionally "Name <address>"`);
  }
  if (problems.length) throw new ConfigError(problems);
  const imapUser = e.IMAP_URL ? decodeURIComponent(new URL(e.IMAP_URL).username) : undefined;
  const activationAddress = e.ACTIVATION_ADDRESS ?? (imapUser?.includes('@') ? imapUser : undefined);
  return {
    ...e,
    ...(activationAddress && { activationAddress }),
    mailFromAddress: addressOf(e.MAIL_FROM),
    reminderFrom: e.REMINDER_FROM ?? e.MAIL_FROM,
    reminderFromAddress: addressOf(e.REMINDER_FROM ?? e.MAIL_FROM),
    brand: {
      name: e.BRAND_NAME,
      portalUrl: e.PORTAL_URL,
      publicUrl: e.PUBLIC_URL,
      supportEmail: e.SUPPORT_EMAIL,
      ...(activationAddress && { activationAddress }),
      paperSize: e.PAPER_SIZE,
    },
  };
}
