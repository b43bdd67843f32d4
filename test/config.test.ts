import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

describe('settings', () => {
  it('needs nothing: every default is usable', () => {
    const c = loadConfig({});
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.KEY_PREFIX).toBe('lc');
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.OUTBOX_DIR).toBe('./outbox');
    expect(c.mailFromAddress).toBe('licensing@localhost');
    expect(c.API_TOKENS).toBeUndefined();
    expect(c.FULFILLMENT_TZ).toBe('UTC');
  });

  it('reports every problem at once, one line each naming the variable', () => {
    const problem = (() => {
      try {
        loadConfig({
          REDIS_URL: 'http://x',
          API_PORT: 'eighty',
          FULFILLMENT_TZ: 'Mars/Olympus',
          SMTP_URL: 'smtp:/',
          API_TOKENS: 'short:intake,abcdefghijklmnopq:root',
        });
      } catch (error) {
        return error;
      }
    })();
    expect(problem).toBeInstanceOf(ConfigError);
    const lines = (problem as ConfigError).problems;
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(
      ['API_PORT', 'API_TOKENS', 'API_TOKENS', 'FULFILLMENT_TZ', 'REDIS_URL', 'SMTP_URL'].sort(),
    );
  });

  it('reads the activation limits and sender authentication settings, naming a bad one', () => {
    const c = loadConfig({});
    expect([
      c.ACTIVATION_ANSWERS_PER_CONTACT_PER_HOUR,
      c.ACTIVATION_ANSWERS_PER_CODE_PER_HOUR,
      c.ACTIVATION_REQUIRE_DMARC,
      c.RESEND_SHARED_DOMAINS,
    ]).toEqual([5, 10, false, []]);
    const set = loadConfig({
      ACTIVATION_REQUIRE_DMARC: 'true',
      ACTIVATION_TRUSTED_AUTHSERV_ID: 'mx.example.net',
      RESEND_SHARED_DOMAINS: 'Mail.Example, x.example',
    });
    expect([set.ACTIVATION_REQUIRE_DMARC, set.ACTIVATION_TRUSTED_AUTHSERV_ID, set.RESEND_SHARED_DOMAINS]).toEqual([
      true,
      'mx.example.net',
      ['mail.example', 'x.example'],
    ]);
    try {
      loadConfig({
        ACTIVATION_REQUIRE_DMARC: 'yes',
        ACTIVATION_TRUSTED_AUTHSERV_ID: 'mx example',
        ACTIVATION_ANSWERS_PER_CODE_PER_HOUR: '0',
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.map((l) => l.split(':')[0]).sort()).toEqual([
        'ACTIVATION_ANSWERS_PER_CODE_PER_HOUR',
        'ACTIVATION_REQUIRE_DMARC',
        'ACTIVATION_TRUSTED_AUTHSERV_ID',
      ]);
    }
  });

  it('parses API tokens with their roles', () => {
    const c = loadConfig({ API_TOKENS: 'aaaaaaaaaaaaaaaa1:intake, bbbbbbbbbbbbbbbb2:admin' });
    expect([...c.API_TOKENS!.values()].map((t) => t.role)).toEqual(['intake', 'admin']);
  });

  it('takes the activation address from the IMAP user when not set', () => {
    expect(loadConfig({ IMAP_URL: 'imap://activate%40example.net:pw@127.0.0.1:143' }).activationAddress).toBe(
      'activate@example.net',
    );
    expect(
      loadConfig({ IMAP_URL: 'imap://u:pw@h:143', ACTIVATION_ADDRESS: 'keys@example.net' }).brand.activationAddress,
    ).toBe('keys@example.net');
  });

  it('wants all three DKIM settings or none', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'example.net' })).toThrow(/DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY/);
  });
});

describe('subscription notice settings', () => {
  it('default: reminders 90, 30 and 7 days ahead, from MAIL_FROM, links under http://127.0.0.1:8080', () => {
    const c = loadConfig({ MAIL_FROM: 'Licensing <lic@example.net>' });
    expect(c.REMINDER_OFFSETS_DAYS).toEqual([90, 30, 7]);
    expect(c.reminderFrom).toBe('Licensing <lic@example.net>');
    expect(c.reminderFromAddress).toBe('lic@example.net');
    expect(c.PUBLIC_URL).toBe('http://127.0.0.1:8080');
  });

  it('offsets in any order come out longest first; the sender and base URL as given', () => {
    const c = loadConfig({
      REMINDER_OFFSETS_DAYS: '7, 60,14',
      REMINDER_FROM: 'Renewals <Renew@Example.net>',
      PUBLIC_URL: 'https://courier.example.net/',
    });
    expect(c.REMINDER_OFFSETS_DAYS).toEqual([60, 14, 7]);
    expect(c.reminderFromAddress).toBe('renew@example.net');
    expect(c.PUBLIC_URL).toBe('https://courier.example.net');
  });

  it('names the variable of each bad value', () => {
    for (const [env, name] of [
      [{ REMINDER_OFFSETS_DAYS: '90,0' }, 'REMINDER_OFFSETS_DAYS'],
      [{ REMINDER_OFFSETS_DAYS: '30,30' }, 'REMINDER_OFFSETS_DAYS'],
      [{ REMINDER_OFFSETS_DAYS: 'soon' }, 'REMINDER_OFFSETS_DAYS'],
      [{ REMINDER_FROM: 'nobody' }, 'REMINDER_FROM'],
      [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    ] as const) {
      expect(() => loadConfig(env), name).toThrow(new RegExp(`^invalid settings:\\n  ${name}: `));
    }
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
