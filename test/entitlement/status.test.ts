import { describe, expect, it } from 'vitest';
import { entitlementStatus } from '../../src/entitlement/status.ts';

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
