import { randomBytes } from 'node:crypto';

export interface RawMail {
  from: string;
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
}

/** A small RFC 5322 message as a mail client would write it; returns the raw text and its Message-ID. */
export function rawMail(m: RawMail): { raw: string; messageId: string } {
  const messageId = `<${randomBytes(8).toString('hex')}@client.example>`;
  const head = [
    `From: ${m.from}`,
    `To: ${m.to ?? 'activate@example.net'}`,
    `Subject: ${m.subject ?? 'License activation'}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  if (m.html && !m.text)
    return { messageId, raw: [...head, 'Content-Type: text/html; charset=utf-8', '', m.html, ''].join('\r\n') };
  return {
    messageId,
    raw: [
      ...head,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      m.text ?? '',
      '',
    ].join('\r\n'),
  };
}
