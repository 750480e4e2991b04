import { cmacSubkeys, cmacSubkeysFrom, keySchedule } from './aes.js';

// CBC input is assembled in these and copied by `update`, so one buffer per block count is reused
// (everything here is synchronous). Views and fresh allocations per MIC showed up in profiles.
const scratch: Buffer[] = [];

/**
 * AES-CMAC (RFC 4493) over `prefix | message[0, length)`, where `prefix` is an optional whole 16-byte
 * block (the B0/B1 block of a data MIC). Returns all 16 bytes; LoRaWAN MICs take the first four.
 */
export function aesCmac(
  key: Uint8Array,
  message: Uint8Array,
  prefix?: Uint8Array,
  length = message.length,
): Uint8Array {
  const tag = new Uint8Array(16);
  aesCmacInto(key, prefix, message, length, tag, 0, 16);
  return tag;
}

/**
 * CMAC is CBC-MAC with a tweaked last block. Instead of creating a CBC cipher per message we keep one
 * per key and let it chain across calls: XOR-ing the first block with the chaining value the previous
 * call left makes this call start from a zero IV, which is exactly CBC-MAC. One native call per MIC.
 *
 * Writes the first `outLength` bytes of the tag to `out[outOffset…]`.
 */
export function aesCmacInto(
  key: Uint8Array,
  prefix: Uint8Array | undefined,
  message: Uint8Array,
  length: number,
  out: Uint8Array,
  outOffset: number,
  outLength: number,
): void {
  const s = keySchedule(key);
  const pre = prefix === undefined ? 0 : 16;
  const total = pre + length;
  const blocks = total === 0 ? 1 : Math.ceil(total / 16);
  const buf = (scratch[blocks] ??= Buffer.alloc(blocks * 16));
  if (prefix !== undefined) for (let i = 0; i < 16; i++) buf[i] = prefix[i]!;
  for (let i = 0; i < length; i++) buf[pre + i] = message[i]!;
  const lastStart = (blocks - 1) * 16;
  const state = s.cbcState;
  // A transient key has no subkeys yet: L = AES(0) and the first CBC-MAC block (AES(block 0), from a
  // zero chaining value) are two independent ECB blocks, so one native call gives both.
  let first = 0;
  if (s.cbc === undefined && s.k1 === undefined && blocks > 1) {
    const pair = (scratch[0] ??= Buffer.alloc(32));
    pair.fill(0, 0, 16);
    for (let i = 0; i < 16; i++) pair[16 + i] = buf[i]!;
    const out = s.ecbEncrypt.update(pair);
    cmacSubkeysFrom(s, out.subarray(0, 16));
    for (let i = 0; i < 16; i++) state[i] = out[16 + i]!;
    first = 1;
  }
  const { k1, k2 } = cmacSubkeys(s);
  if (total > 0 && total % 16 === 0) {
    for (let i = 0; i < 16; i++) buf[lastStart + i]! ^= k1[i]!;
  } else {
    // Pad 10…0 (RFC 4493 §2.4 step 3), then XOR K2.
    buf[total] = 0x80;
    for (let i = total + 1; i < blocks * 16; i++) buf[i] = 0;
    for (let i = 0; i < 16; i++) buf[lastStart + i]! ^= k2[i]!;
  }
  if (s.cbc === undefined) {
    // A transient key: CBC-MAC block by block through ECB, from a zero chaining value.
    if (first === 0) state.fill(0);
    for (let b = first; b < blocks; b++) {
      const o = b * 16;
      for (let i = 0; i < 16; i++) buf[o + i]! ^= state[i]!;
      const c = s.ecbEncrypt.update(buf.subarray(o, o + 16));
      for (let i = 0; i < 16; i++) state[i] = c[i]!;
    }
  } else {
    for (let i = 0; i < 16; i++) buf[i]! ^= state[i]!;
    const cipherText = s.cbc.update(buf);
    for (let i = 0; i < 16; i++) state[i] = cipherText[lastStart + i]!;
  }
  for (let i = 0; i < outLength; i++) out[outOffset + i] = state[i]!;
}
