/**
 * Rebuilds a 32-bit frame counter from the 16 bits on air and the last counter accepted
 * (LoRaWAN 1.1 §4.3.1.5; LoRaMac-node LoRaMacCryptoGetFCntDown): a 16-bit value at or below the
 * last one's low half means the counter wrapped once. `last` undefined means none accepted yet,
 * e.g. right after a join. Returns undefined for a replay (same counter as last).
 */
export function fullFCnt(last: number | undefined, fCnt16: number): number | undefined {
  if (last === undefined) return fCnt16;
  const lastLow = last & 0xffff;
  const high = last - lastLow;
  if (fCnt16 > lastLow) return high + fCnt16;
  if (fCnt16 === lastLow) return undefined;
  const next = high + 0x10000 + fCnt16;
  return next > 0xffffffff ? undefined : next;
}
