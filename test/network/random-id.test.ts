import { describe, expect, it } from 'vitest';
import { randomBase64 } from '../../network/random-id.js';

describe('randomBase64', () => {
  it('gives the bytes asked for, never the same twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomBase64(16);
      expect(Buffer.from(id, 'base64')).toHaveLength(16);
      seen.add(id);
    }
    // 2,000 × 16 bytes is several 4 KiB pools: a refill that handed out old bytes would repeat IDs.
    expect(seen.size).toBe(2000);
    expect(Buffer.from(randomBase64(5000), 'base64')).toHaveLength(5000);
  });
});
