import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../network/iso-time.js';

describe('isoTime', () => {
  it('is Date#toISOString for any millisecond of years 1970–9999, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 253_402_300_799_999 }), { minLength: 1, maxLength: 20 }),
        (list) => {
          // Neighbours of each instant too: the cached second must not leak into the next one.
          for (const ms of list.flatMap((m) =>
            [m, m + 1, m - 1, m + 999].filter((x) => x >= 0 && x <= 253_402_300_799_999),
          ))
            expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });

  it('writes every millisecond of a second with three digits', () => {
    const base = Date.UTC(2026, 11, 7, 17, 45, 59);
    for (let ms = 0; ms < 1000; ms++) expect(isoTime(base + ms)).toBe(new Date(base + ms).toISOString());
  });
});
