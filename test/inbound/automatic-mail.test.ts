import { describe, expect, it } from 'vitest';
import { isAutomaticMail } from '../../src/inbound/automatic-mail.ts';

const OWN = ['activate@example.net', 'Licensing <licensing@courier.example>'];
const map = (o: Record<string, unknown>) => new Map(Object.entries(o));

describe('automatic mail gets no reply', () => {
  it.each([
    [
      'Auto-Submitted: auto-replied',
      map({ 'auto-submitted': 'auto-replied' }),
      'a@b.example',
      'Auto-Submitted: auto-replied',
    ],
    [
      'Auto-Submitted: auto-generated',
      map({ 'auto-submitted': 'auto-generated' }),
      'a@b.example',
      'Auto-Submitted: auto-generated',
    ],
    [
      'a second Auto-Submitted line',
      map({ 'auto-submitted': 'no\nauto-replied' }),
      'a@b.example',
      'Auto-Submitted: auto-replied',
    ],
    ['Precedence: bulk', map({ precedence: 'bulk' }), 'a@b.example', 'Precedence: bulk'],
    ['Precedence: junk', map({ precedence: 'JUNK' }), 'a@b.example', 'Precedence: junk'],
    ['Precedence: list', map({ precedence: 'list' }), 'a@b.example', 'Precedence: list'],
    ['MAILER-DAEMON', map({}), 'MAILER-DAEMON@mx.example', /mailer-daemon sender/],
    ['postmaster', map({}), 'postmaster@mx.example', /mailer-daemon sender/],
    ['no-reply', map({}), 'noreply@vendor.example', /no-reply address/],
    ['List-Id', map({ 'list-id': '<x.lists.example>' }), 'a@b.example', 'sent through a mailing list'],
    ['X-Autoreply', map({ 'x-autoreply': 'yes' }), 'a@b.example', 'marked as an automatic reply'],
    [
      'a delivery report',
      map({ 'content-type': 'multipart/report; report-type=delivery-status' }),
      'a@b.example',
      'a delivery or read report',
    ],
    ['an empty Return-Path', map({ 'return-path': '<>' }), 'a@b.example', 'sent with an empty envelope sender'],
    ['our own address', map({}), 'Activate@Example.NET', /own address/],
    ['our own address, with a display name', map({}), 'Licensing <LICENSING@courier.example>', /own address/],
  ])('%s', (_name, headers, from, reason) => {
    expect(isAutomaticMail(headers, from, OWN)).toMatch(reason);
  });

  it("reads a plain record with any header-name case, and mailparser's structured values", () => {
    expect(isAutomaticMail({ 'Auto-Submitted': 'auto-replied' }, 'a@b.example', OWN)).toBe(
      'Auto-Submitted: auto-replied',
    );
    expect(isAutomaticMail({ PRECEDENCE: 'bulk' }, 'a@b.example', OWN)).toBe('Precedence: bulk');
    expect(
      isAutomaticMail(map({ 'content-type': { value: 'multipart/report', params: {} } }), 'a@b.example', OWN),
    ).toBe('a delivery or read report');
    expect(
      isAutomaticMail(map({ 'return-path': { value: [{ address: '', name: '' }], text: '' } }), 'a@b.example', OWN),
    ).toBe('sent with an empty envelope sender');
    expect(isAutomaticMail(map({ precedence: ['normal', 'bulk'] }), 'a@b.example', OWN)).toBe('Precedence: bulk');
  });

  it("leaves a person's mail alone", () => {
    const human = map({
      'auto-submitted': 'no',
      precedence: 'normal',
      'content-type': 'text/plain; charset=utf-8',
      'return-path': '<juergen@mueller.example>',
    });
    expect(isAutomaticMail(human, 'juergen@mueller.example', OWN)).toBeUndefined();
    expect(isAutomaticMail({}, 'Jürgen <juergen@mueller.example>', OWN)).toBeUndefined();
    expect(isAutomaticMail({}, 'not-activate@example.net', OWN)).toBeUndefined();
  });
});
