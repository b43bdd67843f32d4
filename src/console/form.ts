/** A parsed form body or query string: @fastify/formbody gives a string per field, an array for a repeated one. */
export type Form = Record<string, string | string[] | undefined>;

export function field(form: unknown, name: string): string | undefined {
  const v = (form as Form | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

export function fields(form: unknown, name: string): string[] {
  const v = (form as Form | undefined)?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
