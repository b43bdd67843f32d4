import type { Caller } from '../api/auth.ts';
import type { BrowserSessions } from '../api/browser-session.ts';
import type { Clock } from '../clock.ts';
import type { RateLimitCounterStore } from '../store/rate-limits.ts';
import type { ConsoleBackend, SelfServiceBackend } from './port.ts';
import type { ConsoleViews } from './views.ts';

export interface SelfServiceLimits {
  perAddressPerHour: number;
  perReferencePerHour: number;
  perClientPerHour: number;
}

export interface ConsoleOptions {
  backend: ConsoleBackend;
  selfService: SelfServiceBackend;
  sessions: BrowserSessions;
  tokens: ReadonlyMap<string, Caller> | undefined;
  clock: Clock;
  brand: string;
  limits: SelfServiceLimits;
  /** @fastify/rate-limit's store (src/store/rate-limits.ts): counters shared by every API process. */
  rateLimitStore: new (params?: { limitName?: string }) => RateLimitCounterStore;
}

export interface ConsoleContext extends ConsoleOptions {
  views: ConsoleViews;
}
