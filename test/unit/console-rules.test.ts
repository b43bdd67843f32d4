import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/api/browser-session.ts';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { entitlementStatus } from '../../src/entitlement/status.ts';
import { preferredLocale } from '../../src/locale/accept-language.ts';

describe('entitlementStatus', () => {
  // An initial 12-month subscription from 2026-01-15: paid term ends 2027-01-15, grace to 2027-02-14 (its endDate).
  const initial = { endDate: '2027-02-14', graceDays: 30 };
  const renewal = { endDate: '2027-01-15', graceDays: 0 };
  it.each([
    [initial, '2026-11-15', 'active'],
    [initial, '2026-11-16', 'expiring'],
    [initial, '2027-01-14', 'expiring'],
    [initial, '2027-01-15', 'in-grace'],
    [initial, '2027-02-13', 'in-grace'],
    [initial, '2027-02-14', 'expired'],
    [renewal, '2026-10-16', 'active'],
    [renewal, '2026-10-17', 'expiring'],
    [renewal, '2027-01-14', 'expiring'],
    [renewal, '2027-01-15', 'expired'],
    [{ graceDays: 0 }, '2099-01-01', 'active'],
  ] as const)('%o on %s is %s', (e, today, status) => {
    expect(entitlementStatus(e, today)).toBe(status);
  });
});

describe('preferredLocale', () => {
  const supported = ['de', 'en', 'ja'];
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de-CH', 'de'],
    ['ja,en;q=0.8', 'ja'],
    ['fr-FR, fr;q=0.9, de;q=0.8, en;q=0.7', 'de'],
    ['en;q=0.5, ja;q=0.9', 'ja'],
    ['en-GB, de', 'en'],
    ['de;q=0, ja;q=0.1', 'ja'],
    ['*', 'en'],
    ['de;q=abc, ja', 'ja'],
    [`${'x-y, '.repeat(10_000)}ja`, 'en'],
  ])('%s gives %s', (header, locale) => {
    expect(preferredLocale(header, supported)).toBe(locale);
  });
});

describe('safeNext', () => {
  it.each([
    ['/console/', '/console/'],
    ['/console/orders/123', '/console/orders/123'],
    ['/admin/queues', '/admin/queues'],
    ['/admin/queues/api/queues', '/admin/queues/api/queues'],
    ['/console', '/console'],
    ['https://evil.example/console/', undefined],
    ['//evil.example/console/', undefined],
    ['/console//evil.example', undefined],
    ['/console/../v1/audit', undefined],
    ['/v1/audit', undefined],
    ['/consolex', undefined],
    ['/console/\\evil', undefined],
    [['/console/'], undefined],
    [undefined, undefined],
  ])('%o → %o', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('console settings', () => {
  it('accepts proxies as addresses, ranges and names, and names every bad entry', () => {
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, ::1, loopback' }).TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    try {
      loadConfig({
        TRUST_PROXY: '10.0.0.0/8/1,proxy.example',
        SESSION_IDLE_SECONDS: '0',
        SELF_SERVICE_PER_ADDRESS_PER_HOUR: 'many',
      });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('TRUST_PROXY: entry 1 must be an IP address');
      expect(problems).toContain('TRUST_PROXY: entry 2 must be an IP address');
      expect(problems).toContain('SESSION_IDLE_SECONDS');
      expect(problems).toContain('SELF_SERVICE_PER_ADDRESS_PER_HOUR');
    }
  });
});
