// Which SMTP failures are worth a retry. Pure, so the decision is tested without a server.

export type FailureClass =
  'connection' | 'timeout' | 'temporary' | 'auth' | 'permanent' | 'recipient-rejected' | 'unknown';

export interface Classified {
  retry: boolean;
  class: FailureClass;
  /** The server's reply or the error, one line, for the delivery record and the logs. */
  message: string;
}

interface SmtpLikeError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ESOCKET',
  'EDNS',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'ETLS',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIME', 'ESOCKETTIMEDOUT']);

export function classifySmtpError(error: unknown): Classified {
  const e = (error ?? {}) as SmtpLikeError;
  const message = oneLine(e.response ?? e.message ?? String(error));
  const status = e.responseCode;
  if (status === undefined || !Number.isInteger(status)) {
    if (e.code && TIMEOUT_CODES.has(e.code)) return { retry: true, class: 'timeout', message };
    if (e.code && CONNECTION_CODES.has(e.code)) return { retry: true, class: 'connection', message };
    if (e.code === 'EAUTH') return { retry: true, class: 'auth', message };
    // Unknown failures (a full disk for the outbox, a bug) are retried: a later attempt may succeed, and the
    // attempt limit still ends it; marking a recipient failed on a local fault would be wrong.
    return { retry: true, class: 'unknown', message };
  }
  // Authentication failures are the operator's to fix, not the recipient's; retrying gives them the backoff window.
  if (e.code === 'EAUTH' || status === 530 || status === 535) return { retry: true, class: 'auth', message };
  if (status >= 400 && status < 500) return { retry: true, class: 'temporary', message };
  // 503 answers a command out of sequence, usually a connection the server cut short: retry on a fresh one.
  if (status === 503) return { retry: true, class: 'temporary', message };
  if (status >= 500 && status < 600) {
    return {
      retry: false,
      class: e.command === 'RCPT TO' || e.code === 'EENVELOPE' ? 'recipient-rejected' : 'permanent',
      message,
    };
  }
  return { retry: true, class: 'unknown', message };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
