import { ConfigError } from '../errors.ts';

export interface ImapEndpoint {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
}

/**
 * `imap://user:pass@host:port` or `imaps://…`; user and password percent-decoded (an address user is
 * `name%40example.net`).
 */
export function parseImapUrl(url: string, variable = 'IMAP_URL'): ImapEndpoint {
  const problem = (text: string) => new ConfigError([`${variable}: ${text}`]);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw problem('not a URL');
  }
  const secure = u.protocol === 'imaps:';
  if (!secure && u.protocol !== 'imap:') throw problem('must start with imap:// or imaps://');
  if (!u.hostname) throw problem('must name a host');
  if (!u.username || !u.password) throw problem('must carry user and password (imap://user:pass@host:port)');
  return {
    host: u.hostname,
    port: Number(u.port) || (secure ? 993 : 143),
    secure,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
  };
}
