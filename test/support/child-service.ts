import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/license-courier.mjs', import.meta.url));

export interface ChildService {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Runs `license-courier <command>` as a real child process with the given settings. */
export function spawnService(command: 'worker' | 'api' | 'start', env: Record<string, string>): ChildService {
  return spawnNode([BIN, command], env);
}

/** Runs a TypeScript file that starts a process of its own (the benchmark's fixed-documents worker) the same way. */
export function spawnScript(script: string, env: Record<string, string>): ChildService {
  return spawnNode(['--import', 'tsx', script], env);
}

function spawnNode(args: string[], env: Record<string, string>): ChildService {
  // CHILD_NODE_ARGS (in the environment or in env) passes Node options to the service processes, e.g.
  // "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a benchmark's workers.
  const nodeArgs = (env.CHILD_NODE_ARGS ?? process.env.CHILD_NODE_ARGS)?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
