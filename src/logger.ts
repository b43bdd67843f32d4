import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Redaction is a safety net; the real rule is that secrets, tokens and license keys are never put into a
 * log call in the first place.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'license-courier', pid: process.pid },
      redact: {
        paths: [
          'req.headers.authorization',
          'authorization',
          'token',
          'key',
          'keys',
          'password',
          '*.password',
          'smtpUrl',
          'imapUrl',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? process.stdout,
  );
}
