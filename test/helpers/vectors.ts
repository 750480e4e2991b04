import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../vectors/', import.meta.url));

/** Loads one published vector file from test/vectors/ (a JSON array of objects). */
export function loadVectors<T = Record<string, unknown>>(name: string): T[] {
  const parsed: unknown = JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error(`${name}.json: expected a non-empty array`);
  return parsed as T[];
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
