import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createContext, type AppContext } from '../app/context.ts';
import { intake } from '../app/intake.ts';
import { createLogger } from '../logger.ts';
import { startWorkers } from '../app/workers.ts';
import { loadConfig } from '../config.ts';
import type { DeliveryRecord } from '../store/deliveries.ts';
import { table } from '../cli/table.ts';
import { clearPrefix } from '../store/clear-prefix.ts';
import { openDatabase } from '../store/stores.ts';
import { redisAnswers } from '../store/connection.ts';
import { startPrivateRedis, type PrivateRedis } from './redis.ts';
import { projectFile } from '../project-files.ts';

export const FIXTURE_ORDERS = projectFile('fixtures/orders/');
const DEMO_PREFIX = 'lc-demo';

async function demoSigningKey(dir: string): Promise<string> {
  const path = join(dir, 'demo-license-signing.pem');
  await mkdir(dir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}

/**
 * The embedded demo: needs no settings. Submits the fixture orders, runs the workers in this process, writes each
 * message to the outbox and prints who got what. Returns the exit code.
 */
export async function runDemo(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const env = { ...process.env };
  const redis = await demoRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', out);
  if (!redis) return 1;
  const outbox = resolve(env.OUTBOX_DIR ?? './outbox');
  env.REDIS_URL = redis.url;
  env.KEY_PREFIX = env.KEY_PREFIX ?? DEMO_PREFIX;
  env.OUTBOX_DIR = outbox;
  env.SMTP_URL = '';
  env.LICENSE_SIGNING_KEY = env.LICENSE_SIGNING_KEY || (await demoSigningKey(join(outbox, '.demo-keys')));
  const config = loadConfig(env);
  // A demo run starts from a clean slate: its queues under its own prefix (never touching other data in the same
  // Redis), and, unless DATABASE_URL names a server, an embedded database of its own in DATA_DIR/demo.
  await clearPrefix(config.REDIS_URL, config.KEY_PREFIX);
  const dataDir = join(resolve(config.DATA_DIR), 'demo');
  if (!config.DATABASE_URL) await rm(dataDir, { recursive: true, force: true });
  const db = await openDatabase({ ...config, DATA_DIR: dataDir }, { embedded: true });
  const ctx = await createContext(config, { logger: createLogger('warn', process.stderr), db });
  try {
    return await deliverFixtures(ctx, outbox, out);
  } finally {
    await ctx.close();
    await db.close();
    await redis.own?.stop();
  }
}

/** The Redis at `wanted` if it answers, else a private redis-server started for the demo (`own`, to stop after). */
async function demoRedis(
  wanted: string,
  out: NodeJS.WritableStream,
): Promise<{ url: string; own?: PrivateRedis } | undefined> {
  if (await redisAnswers(wanted)) return { url: wanted };
  try {
    const own = await startPrivateRedis();
    out.write(`No Redis at ${wanted}; started a private redis-server at ${own.url} for this demo.\n`);
    return { url: own.url, own };
  } catch (error) {
    out.write(
      `No Redis at ${wanted}, and no redis-server to start (${(error as Error).message}).\n` +
        'Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.\n',
    );
    return undefined;
  }
}

/** Submits the fixture orders, runs the workers until their deliveries settle, and prints them: the exit code. */
async function deliverFixtures(ctx: AppContext, outbox: string, out: NodeJS.WritableStream): Promise<number> {
  const files = (await readdir(FIXTURE_ORDERS)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) await intake(ctx, JSON.parse(await readFile(join(FIXTURE_ORDERS, file), 'utf8')), 'demo');
  const workers = await startWorkers(ctx);
  const deliveries = await waitForDeliveries(ctx, await orderNumbers(files), 60_000);
  await workers.close();
  printDeliveries(out, deliveries, outbox);
  return deliveries.some(({ d }) => d.status === 'failed') ? 1 : 0;
}

/** The sales order numbers of the fixture files, each once. */
async function orderNumbers(files: string[]): Promise<string[]> {
  const numbers = await Promise.all(
    files.map(async (f) => {
      const event = JSON.parse(await readFile(join(FIXTURE_ORDERS, f), 'utf8')) as { salesOrder: { number: string } };
      return event.salesOrder.number;
    }),
  );
  return [...new Set(numbers)];
}

/** A delivery, with the ship date of its fulfillment. */
interface ShippedDelivery {
  d: DeliveryRecord;
  shipDate: string;
}

/** Who got what, one row per delivery, then the count sent and the count waiting for a later ship date. */
function printDeliveries(out: NodeJS.WritableStream, deliveries: ShippedDelivery[], outbox: string): void {
  out.write(
    `\n${table(
      ['order', 'ships', 'recipient', 'status', 'message'],
      deliveries.map(({ d, shipDate }) => [
        d.orderNumber,
        shipDate,
        d.recipient,
        d.status,
        d.status === 'sent' ? (d.smtpResponse ?? '').replace(/^written to /, '') : (d.lastError ?? ''),
      ]),
    )}\n\n`,
  );
  const sent = deliveries.filter(({ d }) => d.status === 'sent').length;
  const scheduled = deliveries.filter(({ d }) => d.status === 'scheduled').length;
  out.write(`${sent} message(s) written to ${outbox}; ${scheduled} scheduled for a later ship date.\n`);
  out.write('Open a .eml file in a mail client to see the Fulfillment Email with its certificate attached.\n');
}

async function waitForDeliveries(ctx: AppContext, orders: string[], timeoutMs: number): Promise<ShippedDelivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = (
      await Promise.all(
        orders.map(async (o) => {
          const fulfillments = await ctx.fulfillments.forOrder(o);
          const records = await ctx.deliveries.forOrder(o);
          return records.map((d: DeliveryRecord) => ({
            d,
            shipDate: fulfillments.find((f) => f.id === d.fulfillmentId)?.shipDate ?? '',
          }));
        }),
      )
    ).flat();
    const settled = all.every(({ d }) => d.status === 'sent' || d.status === 'failed' || d.status === 'scheduled');
    if (settled || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 100));
  }
}
