import { truncateSync } from 'node:fs';

/**
 * Cuts a file back to its last complete line when the last one was torn, so that the next record
 * starts on a line of its own instead of being glued onto the torn one (and lost with it). Returns
 * what was done, for the caller to say once; undefined when the file was whole.
 */
export function cutTornLine(file: string, text: string): string | undefined {
  if (text.length === 0 || text.endsWith('\n')) return undefined;
  const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8');
  const torn = Buffer.byteLength(text, 'utf8') - keep;
  truncateSync(file, keep);
  return `${file}: the last line was torn (${torn} bytes, a crash or a full disk mid-write); cut back to the last complete line`;
}
