import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeMessage } from '../../src/mail/compose.ts';
import { createNoticeRenderer, type NoticeRenderer } from '../../src/notices/notice-email.ts';
import type { NoticeDocument } from '../../src/notices/notice-view.ts';
import { unsubscribeLinks } from '../../src/notices/send-notice.ts';
import { verifyUnsubscribeToken } from '../../src/notices/unsubscribe-token.ts';
import { TEST_BRAND } from '../support/documents.ts';

// Expected words are written out here, not computed with the code under test.

let renderer: NoticeRenderer;
beforeAll(async () => {
  renderer = await createNoticeRenderer();
});

const entitlements: NoticeDocument['entitlements'] = [
  {
    ssrn: 'SSRN4K7Q2M9X1A',
    sku: 'S-EX-A-C1-1',
    licenseName: 'EX Advanced <1 year>',
    description: 'EX4400 & EX4100',
    quantity: 2,
    startDate: '2026-01-15',
    endDate: '2027-02-14',
    graceDays: 30,
  },
  {
    ssrn: 'SSRN8P3R5T7V9B',
    sku: 'S-SRX-A-1',
    licenseName: 'SRX Advanced',
    description: 'SRX300',
    quantity: 1,
    startDate: '2026-01-15',
    endDate: '2027-02-14',
    graceDays: 30,
  },
];
const doc = (notice: NoticeDocument['notice'], locale = 'en', over: Partial<NoticeDocument> = {}): NoticeDocument => ({
  notice,
  order: { number: '40012345', poNumber: 'PO-77', endCustomer: { name: 'Müller & Söhne' }, locale },
  entitlements,
  brand: TEST_BRAND,
  ...over,
});
const URL = 'https://courier.example.net/unsubscribe/abc.def';

describe('subscription notices', () => {
  it('a reminder lists every entitlement with its SSRN and dates, says what to do, and links to unsubscribe', () => {
    const r = renderer.render(doc('reminder-30'), { email: 'ana@example.com', name: 'Ana' }, URL);
    expect(r.subject).toBe('Renewal reminder: subscriptions on sales order 40012345 end on 15 January 2027');
    for (const part of [r.text, r.html]) {
      expect(part).toContain('SSRN4K7Q2M9X1A');
      expect(part).toContain('SSRN8P3R5T7V9B');
      expect(part).toContain('Paid term ends');
      expect(part).toContain('15 January 2027');
      expect(part).toContain('How to renew');
      expect(part).toContain('Dear Ana,');
    }
    expect(r.text).toContain('14 February 2027 (including a 30-day grace period)');
    expect(r.text).toContain('EX Advanced <1 year>');
    expect(r.text).toContain(`Stop subscription reminders: ${URL}`);
    // Styles are inline (a client may drop those of <head>): the link carries its colour.
    expect(r.html).toContain(`<a href="${URL}" style="color: #0b5cad;">Stop subscription reminders</a>`);
    // The HTML escapes the data: no markup from an order reaches the message.
    expect(r.html).toContain('EX Advanced &lt;1 year&gt;');
    expect(r.html).toContain('Müller &amp; Söhne');
    expect(r.html).not.toContain('<1 year>');
    expect(r.html).toContain('#0b3c6f');
  });

  it('grace and expiry notices say so, with the date the entitlement expires', () => {
    const grace = renderer.render(doc('grace'), { email: 'a@example.com' }, URL);
    expect(grace.subject).toBe(
      'Grace period started: subscriptions on sales order 40012345 expire on 14 February 2027',
    );
    expect(grace.text).toContain('Hello,');
    expect(grace.text).toContain('has ended');
    const expiry = renderer.render(doc('expiry'), { email: 'a@example.com' }, URL);
    expect(expiry.subject).toBe('Expiring today: subscriptions on sales order 40012345');
    expect(expiry.text).toContain('expire today, 14 February 2027');
  });

  it('in German and Japanese', () => {
    const de = renderer.render(doc('reminder-7', 'de'), { email: 'a@example.com', name: 'Jörg' }, URL);
    expect(de.subject).toBe('Erinnerung zur Verlängerung: Abonnements des Auftrags 40012345 enden am 15. Januar 2027');
    expect(de.text).toContain('Guten Tag Jörg,');
    expect(de.text).toContain('Bezahlte Laufzeit endet: 15. Januar 2027');
    expect(de.html).toContain('lang="de"');
    const ja = renderer.render(doc('expiry', 'ja-JP'), { email: 'a@example.com', name: '山田' }, URL);
    expect(ja.subject).toBe('本日失効: 受注番号 40012345 のサブスクリプション');
    expect(ja.text).toContain('山田 様');
    expect(ja.text).toContain('失効日: 2027年2月14日(猶予期間 30 日を含む)');
  });

  it('a catch-up that groups entitlements ending on different days names the earliest, and each line its own', () => {
    const later = { ...entitlements[1]!, endDate: '2027-02-20' };
    const r = renderer.render(
      doc('reminder-7', 'en', { entitlements: [later, entitlements[0]!] }),
      { email: 'a@example.com' },
      URL,
    );
    expect(r.subject).toContain('end on 15 January 2027');
    expect(r.text).toContain('Paid term ends: 21 January 2027');
  });

  it('goes out as an HTML and a text part, no attachment, with List-Unsubscribe (https and mailto) and one-click POST', async () => {
    const key = randomBytes(32);
    const links = unsubscribeLinks(
      key,
      'Ana@Example.com',
      'https://courier.example.net',
      'renewals@courier.example.net',
    );
    const r = renderer.render(doc('reminder-90'), { email: 'ana@example.com' }, links.url);
    const m = composeMessage({
      from: 'Renewals <renewals@courier.example.net>',
      to: { email: 'ana@example.com' },
      subject: r.subject,
      html: r.html,
      text: r.text,
      messageId: '<n.1@courier.example.net>',
      attachments: [],
      unsubscribe: links,
    });
    const parsed = await simpleParser(m.raw);
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toContain('SSRN4K7Q2M9X1A');
    expect(parsed.html).toContain('SSRN4K7Q2M9X1A');
    expect(m.raw.toString()).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const list = parsed.headers.get('list') as {
      unsubscribe: { url: string; mail: string };
      'unsubscribe-post': { name: string };
    };
    expect(list['unsubscribe-post'].name).toBe('List-Unsubscribe=One-Click');
    expect(list.unsubscribe.url).toMatch(
      /^https:\/\/courier\.example\.net\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
    );
    expect(list.unsubscribe.mail).toMatch(/^renewals@courier\.example\.net\?subject=unsubscribe%20/);
    const token = list.unsubscribe.url.split('/').at(-1)!;
    expect(verifyUnsubscribeToken(key, token)).toBe('ana@example.com');
    expect(parsed.text).toContain(list.unsubscribe.url);
  });
});
