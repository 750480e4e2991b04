/**
 * Milliseconds since the Unix epoch as ISO 8601 ("2026-12-07T17:45:59.123Z"), what `Date#toISOString`
 * gives for years 0–9999: the network stamps each uplink, copy and event, thousands a second, and the
 * date and time up to the second change once a second — they are formatted once for it.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = Math.floor(ms - second * 1000);
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';
