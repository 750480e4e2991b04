import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `bytes` random bytes as base64 (a session key ID): drawn from a pool filled 4 KiB at a time, each
 * byte given out once. A join storm asks for thousands a second, and one `randomBytes` call costs
 * ten times the bytes it returns.
 */
export function randomBase64(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    used = 0;
  }
  const out = pool.toString('base64', used, used + bytes);
  used += bytes;
  return out;
}
