import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates the missing directories above an output file, one at a time. Not `mkdirSync(…, {recursive:
 * true})`: on Node 20 that never returns for a path under /proc (it loops on ENOENT), and an output
 * path is user input. A directory that cannot be made throws its own error (ENOENT, EACCES).
 */
export function makeParentDirs(file: string): void {
  const missing: string[] = [];
  for (let d = dirname(file); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
