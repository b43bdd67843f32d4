import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Imports run one way (../shared/ARCHITECTURE.md): these checks keep it so as the code grows.

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['src', 'queues'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, type-only ones included: a cycle of types still ties two modules together. */
function importsOf(file: string, what: 'all' | 'loaded' = 'all'): string[] {
  const text = readFileSync(file, 'utf8');
  const statements = [...text.matchAll(/^(?:import|export)\s([^;]*?)\sfrom\s+'(\.{1,2}\/[^']+)'/gms)];
  return statements
    .filter((m) => what === 'all' || !/^type\s/.test(m[1]!))
    .map((m) => relative(ROOT, resolve(dirname(file), m[2]!)));
}

/** The modules a process that imports `entry` loads before any `await import(...)`. */
function loadedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of importsOf(join(ROOT, file), 'loaded')) visit(next);
  };
  visit(entry);
  return seen;
}

const graph = new Map(SOURCES.flatMap((d) => files(join(ROOT, d))).map((f) => [relative(ROOT, f), importsOf(f)]));

/** The folder a module belongs to: `src/<folder>`, or `queues`. */
const folderOf = (file: string) =>
  file.startsWith('src/') ? file.split('/').slice(0, 2).join('/') : file.split('/')[0]!;

function cycles(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('imports', () => {
  it('form no cycle between files', () => {
    const edges = new Map([...graph].map(([f, deps]) => [f, new Set(deps)]));
    expect(cycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it('form no cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, deps] of graph) {
      const from = folderOf(file);
      for (const dep of deps) {
        const to = folderOf(dep);
        if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    expect(cycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it('leave SQL and Redis commands to src/store/', () => {
    const driver = /^import (?!type )[^;]*from '(pg|ioredis|@electric-sql\/pglite)'/m;
    const offenders = [...graph.keys()].filter(
      (f) => !f.startsWith('src/store/') && driver.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('run Lua only as commands defined once with their keys declared (src/store/redis-script.ts)', () => {
    const raw = /\.(?:eval|evalsha|defineCommand)\(/;
    const offenders = [...graph.keys()].filter(
      (f) => f !== 'src/store/redis-script.ts' && raw.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('load the email templates and the certificate only in a worker (the API and the CLI render neither)', () => {
    const renderers = ['src/email/render.ts', 'src/certificate/render.ts'];
    for (const entry of ['src/app/context.ts', 'src/app/api-server.ts', 'src/app/service.ts', 'src/cli/main.ts'])
      expect(
        [...loadedFrom(entry)].filter((f) => renderers.includes(f)),
        entry,
      ).toEqual([]);
    expect(renderers.every((r) => loadedFrom('src/app/workers.ts').has(r))).toBe(true);
  });
});
