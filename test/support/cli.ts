import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/license-courier.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real command line, as a user would, and collects its output and exit code. `entry` runs another TypeScript
 * entry point instead of the installed bin (a smaller program with only some commands).
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; entry?: string } = {},
): Promise<CliResult> {
  const command = options.entry ? ['--import', 'tsx', options.entry] : [BIN];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      ...(options.cwd && { cwd: options.cwd }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
