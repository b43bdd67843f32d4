/**
 * A message's headers as written, lowercase name → value, a repeated header's values one per line. Used instead of
 * mailparser's structured values, which turn List-* and Return-Path into objects and keep one Content-Type of several.
 */
export function rawHeaders(headerLines: ReadonlyArray<{ key: string; line: string }>): Map<string, string> {
  const headers = new Map<string, string>();
  for (const h of headerLines) {
    const key = h.key.toLowerCase();
    const value = h.line.slice(h.line.indexOf(':') + 1).trim();
    headers.set(key, headers.has(key) ? `${headers.get(key)}\n${value}` : value);
  }
  return headers;
}
