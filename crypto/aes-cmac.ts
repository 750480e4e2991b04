import { keySchedule } from './aes.js';

/**
 * AES-CMAC (RFC 4493) over `prefix | message`, where `prefix` is an optional whole 16-byte block
 * (the B0/B1 block of a data MIC). Returns all 16 bytes; LoRaWAN MICs take the first four.
 *
 * CMAC is CBC-MAC with a tweaked last block. Instead of creating a CBC cipher per message we keep one
 * per key and let it chain across calls: XOR-ing the first block with the chaining value left by the
 * previous call makes this call start from a zero IV, which is exactly CBC-MAC. One native call per MIC.
 */
export function aesCmac(key: Uint8Array, message: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const s = keySchedule(key);
  const pre = prefix === undefined ? 0 : 16;
  const total = pre + message.length;
  const blocks = total === 0 ? 1 : Math.ceil(total / 16);
  const buf = Buffer.allocUnsafe(blocks * 16);
  if (prefix !== undefined) buf.set(prefix.subarray(0, 16), 0);
  buf.set(message, pre);
  const lastStart = (blocks - 1) * 16;
  if (total > 0 && total % 16 === 0) {
    const k1 = s.k1;
    for (let i = 0; i < 16; i++) buf[lastStart + i]! ^= k1[i]!;
  } else {
    // Pad 10…0 (RFC 4493 §2.4 step 3), then XOR K2.
    buf[total] = 0x80;
    buf.fill(0, total + 1);
    const k2 = s.k2;
    for (let i = 0; i < 16; i++) buf[lastStart + i]! ^= k2[i]!;
  }
  const state = s.cbcState;
  for (let i = 0; i < 16; i++) buf[i]! ^= state[i]!;
  const out = s.cbc.update(buf);
  const tag = out.subarray(out.length - 16);
  state.set(tag);
  return tag;
}
