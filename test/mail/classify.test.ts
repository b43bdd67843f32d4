import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../../src/mail/classify.ts';

describe('SMTP failure classification', () => {
  it.each([
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, true, 'connection'],
    [{ code: 'ESOCKET', message: 'socket hang up' }, true, 'connection'],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, true, 'timeout'],
    [
      { code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 Try again later', command: 'RCPT TO' },
      true,
      'temporary',
    ],
    [{ code: 'EMESSAGE', responseCode: 452, response: '452 4.3.1 Insufficient storage' }, true, 'temporary'],
    [{ code: 'EPROTOCOL', responseCode: 421, response: '421 Service not available' }, true, 'temporary'],
    [{ code: 'EPROTOCOL', responseCode: 503, response: '503 5.5.1 Bad sequence' }, true, 'temporary'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed' }, true, 'auth'],
    [
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user', command: 'RCPT TO' },
      false,
      'recipient-rejected',
    ],
    [
      { code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Message rejected as spam', command: 'DATA' },
      false,
      'permanent',
    ],
    [
      { code: 'EMESSAGE', responseCode: 552, response: '552 Message size exceeds limit', command: 'DATA' },
      false,
      'permanent',
    ],
    [new Error('ENOSPC: no space left on device'), true, 'unknown'],
  ])('%j → retry %s (%s)', (error, retry, cls) => {
    const c = classifySmtpError(error);
    expect(c.retry).toBe(retry);
    expect(c.class).toBe(cls);
  });

  it('keeps the server reply on one line, bounded', () => {
    const c = classifySmtpError({ responseCode: 550, response: `550-first\r\n550 second ${'x'.repeat(2000)}` });
    expect(c.message).toMatch(/^550-first 550 second x+$/);
    expect(c.message.length).toBeLessThanOrEqual(500);
  });
});
