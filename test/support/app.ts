import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type AppContext, type ContextOverrides } from '../../src/app/context.ts';
import { createLogger } from '../../src/logger.ts';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/clock.ts';
import { clearPrefix } from '../../src/store/clear-prefix.ts';
import { createTestDatabase } from './database.ts';

export const TEST_TOKENS = {
  intake: 'intake-token-0123456789',
  support: 'support-token-0123456789',
  admin: 'admin-token-0123456789abc',
};

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

export function uniquePrefix(): string {
  return `lct-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Settings of a test service: its own Redis key prefix, its own outbox, the test tokens (no database: see
 * withTestDatabase).
 */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: TEST_REDIS_URL,
    KEY_PREFIX: uniquePrefix(),
    OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'lc-outbox-')),
    MAIL_FROM: 'Licensing <licensing@courier.example>',
    API_TOKENS: `${TEST_TOKENS.intake}:intake,${TEST_TOKENS.support}:support,${TEST_TOKENS.admin}:admin`,
    SEND_BACKOFF_MS: '50',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface TestService {
  env: Record<string, string>;
  /** Drops the database and deletes the Redis keys. */
  cleanUp(): Promise<void>;
}

/** testEnv with a fresh, migrated PostgreSQL database of its own (unless `extra` names one). */
export async function testServiceEnv(extra: Record<string, string> = {}): Promise<TestService> {
  const database = extra.DATABASE_URL ? undefined : await createTestDatabase();
  const env = testEnv({ ...(database && { DATABASE_URL: database.url }), ...extra });
  return {
    env,
    async cleanUp() {
      await database?.drop();
      await clearPrefix(env.REDIS_URL!, env.KEY_PREFIX!);
    },
  };
}

export function testContext(env: Record<string, string>, overrides: ContextOverrides = {}): Promise<AppContext> {
  return createContext(loadConfig(env), { logger: createLogger(env.LOG_LEVEL ?? 'silent'), ...overrides });
}

export { clearPrefix as deletePrefix };
