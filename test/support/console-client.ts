import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

let clients = 0;
/**
 * Each client its own address by default, as separate browsers would be: per-client limits then bite only where meant.
 */
const nextAddress = () => `10.${(++clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;

/** A browser without JavaScript over `inject`: keeps cookies as a browser would, posts forms, reads CSRF tokens. */
export class FormClient {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly api: FastifyInstance,
    private readonly headers: Record<string, string> = {},
    private readonly remoteAddress = nextAddress(),
  ) {}

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now());
      if (expired || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.api.inject({
        method: 'GET',
        url,
        remoteAddress: this.remoteAddress,
        headers: { ...this.headers, cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  async post(
    url: string,
    form: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return this.keep(
      await this.api.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        remoteAddress: this.remoteAddress,
        headers: {
          ...this.headers,
          cookie: this.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
      }),
    );
  }

  /** Loads a page and posts its form (the first one whose action is `action`) with the CSRF token it carries. */
  async submit(page: string, action: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const html = (await this.get(page)).body;
    return this.post(action, { _csrf: csrfToken(html, action), ...form });
  }

  async signIn(token: string): Promise<LightMyRequestResponse> {
    return this.submit('/console/sign-in', '/console/sign-in', { token });
  }
}

export function csrfToken(html: string, action: string): string {
  const at = html.indexOf(`action="${action}"`);
  const token = /name="_csrf" value="([^"]+)"/.exec(html.slice(at))?.[1];
  if (at < 0 || !token) throw new Error(`no form posting to ${action} on the page`);
  return token;
}
