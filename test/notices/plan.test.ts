import { describe, expect, it } from 'vitest';
import { planNotices, type DueNotice } from '../../src/notices/plan.ts';
import { noticeSchedule, type ScheduledNotice } from '../../src/notices/schedule.ts';

const OFFSETS = [90, 30, 7];
const entitlement = (ssrn: string, endDate: string) => ({
  ssrn,
  licenseType: 'subscription' as const,
  startDate: '2026-01-01',
  endDate,
  graceDays: 0,
});
function due(ssrn: string, orderNumber: string, key: string, endDate = '2027-01-31'): DueNotice {
  const schedule = noticeSchedule(entitlement(ssrn, endDate), OFFSETS);
  return { ssrn, orderNumber, notice: schedule.find((n) => n.key === key) as ScheduledNotice, schedule };
}
const contacts = [
  { orderNumber: '10000001', email: 'Ana@Example.com', name: 'Ana' },
  { orderNumber: '10000001', email: 'bo@example.com' },
  { orderNumber: '10000002', email: 'cy@example.com' },
];

describe('planning the messages of a sweep', () => {
  it('one message per order, notice and recipient, listing every entitlement it concerns, in line order', () => {
    const plan = planNotices(
      '2027-01-24',
      [due('S1', '10000001', 'reminder-7'), due('S2', '10000001', 'reminder-7'), due('S3', '10000002', 'reminder-7')],
      contacts,
      [],
      'r@courier.example',
    );
    expect(plan.map((p) => [p.orderNumber, p.recipient, p.ssrns])).toEqual([
      ['10000001', 'ana@example.com', ['S1', 'S2']],
      ['10000001', 'bo@example.com', ['S1', 'S2']],
      ['10000002', 'cy@example.com', ['S3']],
    ]);
    expect(plan[0]).toMatchObject({ notice: 'reminder-7', date: '2027-01-24', recipientName: 'Ana' });
    expect(plan[0]!.groupId).toBe(plan[1]!.groupId);
    expect(plan[0]!.messageId).toBe(`<${plan[0]!.id}@courier.example>`);
  });

  it('different notices of one order are different messages', () => {
    const plan = planNotices(
      '2027-01-24',
      [due('S1', '10000001', 'reminder-7'), due('S2', '10000001', 'reminder-30', '2027-02-23')],
      contacts.slice(0, 1),
      [],
      'r@x.example',
    );
    expect(plan.map((p) => [p.notice, p.ssrns])).toEqual([
      ['reminder-7', ['S1']],
      ['reminder-30', ['S2']],
    ]);
  });

  it('ids are deterministic: the same sweep plans the same ids; another day or other lines, other ids', () => {
    const input = [due('S1', '10000001', 'reminder-7')];
    const a = planNotices('2027-01-24', input, contacts, [], 'r@x.example');
    expect(planNotices('2027-01-24', input, contacts, [], 'r@x.example')).toEqual(a);
    expect(planNotices('2027-01-25', input, contacts, [], 'r@x.example')[0]!.id).not.toBe(a[0]!.id);
    expect(
      planNotices('2027-01-24', [...input, due('S2', '10000001', 'reminder-7')], contacts, [], 'r@x.example')[0]!.id,
    ).not.toBe(a[0]!.id);
  });

  it('leaves out what a recipient already had, this notice or a later one; a message left empty is not sent', () => {
    const input = [due('S1', '10000001', 'reminder-30'), due('S2', '10000001', 'reminder-30')];
    const plan = planNotices(
      '2027-01-01',
      input,
      contacts.slice(0, 2),
      [
        { ssrn: 'S1', notice: 'reminder-30', recipient: 'ana@example.com' },
        { ssrn: 'S2', notice: 'reminder-7', recipient: 'ana@example.com' },
        { ssrn: 'S1', notice: 'reminder-90', recipient: 'bo@example.com' },
      ],
      'r@x.example',
    );
    expect(plan.map((p) => [p.recipient, p.ssrns])).toEqual([['bo@example.com', ['S1', 'S2']]]);
  });

  it('an order without recipients (all opted out) plans nothing', () => {
    expect(planNotices('2027-01-24', [due('S9', '10000009', 'reminder-7')], contacts, [], 'r@x.example')).toEqual([]);
  });
});
