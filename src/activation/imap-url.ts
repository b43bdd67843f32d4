export interface ImapEndpoint {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
}

/** `imap://user:pass@host:port` or `imaps://…`; user and password percent-decoded (an address user is `name%40example.net`). */
export function parseImapUrl(url: string, variable = 'IMAP_URL'): ImapEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${variable}: not a URL`);
  }
  const secure = u.protocol === 'imaps:';
  if (!secure && u.protocol !== 'imap:') throw new Error(`${variable}: must start with imap:// or imaps://`);
  if (!u.username || !u.password) throw new Error(`${variable}: must carry user and password (imap://user:pass@host:port)`);
  return { host: u.hostname, port: Number(u.port) || (secure ? 993 : 143), secure, user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
}
