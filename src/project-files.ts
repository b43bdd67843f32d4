import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder: the nearest one up from this file that holds package.json. The same folder whether this runs
 * from src/ (through tsx, in tests) or compiled from dist/src/ (`npm run build`), one level further down.
 */
function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('package.json not found above the service code');
  }
}

const ROOT = projectRoot();

/** A file or folder the code reads at run time (templates, fixtures, migrations), by its path in the project. */
export function projectFile(path: string): string {
  return join(ROOT, path);
}

/** The email, notice and page templates with their locale strings. */
export const TEMPLATES_DIR = projectFile('templates/');
