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
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s)));
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
});
