import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/license-courier.mjs', import.meta.url));

export interface ChildService {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * Runs `license-courier <command>` as a real child process with the given settings, started as an operator starts it:
 * the bin run as a program, which starts node with the service's own options.
 */
export function spawnService(command: 'worker' | 'api' | 'start', env: Record<string, string>): ChildService {
  // The bin starts node itself, so the Node options reach it through NODE_OPTIONS.
  const options = [process.env.NODE_OPTIONS, ...nodeArgs(env)].filter(Boolean).join(' ');
  return watch(spawn(BIN, [command], { env: { ...process.env, ...env, NODE_OPTIONS: options }, stdio: STDIO }));
}

/** Runs a TypeScript file that starts a process of its own (the benchmark's fixed-documents worker) through tsx. */
export function spawnScript(script: string, env: Record<string, string>): ChildService {
  const args = [...nodeArgs(env), '--import', 'tsx', script];
  return watch(spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: STDIO }));
}

const STDIO: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];

/**
 * CHILD_NODE_ARGS (in the environment or in env): Node options for the service processes, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark's workers.
 */
const nodeArgs = (env: Record<string, string>) =>
  (env.CHILD_NODE_ARGS ?? process.env.CHILD_NODE_ARGS)?.split(' ').filter(Boolean) ?? [];

function watch(child: ChildProcess): ChildService {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { process: child, output: () => out, exited };
}
