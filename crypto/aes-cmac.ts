import { encryptState, state, stateByte, xorIntoState } from './aes-block.js';
import { cmacSubkeys, keySchedule } from './aes.js';

// The last block, padded (RFC 4493 §2.4 step 3); the functions are synchronous, so one is shared.
const last = new Uint8Array(16);

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
 * CBC-MAC from a zero IV over every block but the last, then the last block XOR K1 (whole) or padded
 * XOR K2 (RFC 4493 §2.4), read straight from `prefix` and `message`: no copy of the message.
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
  const k = cmacSubkeys(s);
  const total = (prefix === undefined ? 0 : 16) + length;
  // Whole message blocks before the last one (the prefix, when there is one, is block 0).
  const lastStart = total === 0 ? 0 : Math.ceil(total / 16) * 16 - 16;
  state.fill(0);
  let lastSource = message;
  let lastOffset = lastStart;
  if (prefix !== undefined) {
    if (lastStart === 0) lastSource = prefix;
    else {
      xorIntoState(prefix, 0);
      encryptState(s.rk);
      lastOffset -= 16;
    }
  }
  for (let o = 0; o < lastOffset; o += 16) {
    xorIntoState(message, o);
    encryptState(s.rk);
  }
  const whole = total > 0 && total % 16 === 0;
  const n = whole ? 16 : total - lastStart;
  for (let i = 0; i < n; i++) last[i] = lastSource[lastOffset + i]!;
  if (!whole) {
    last[n] = 0x80;
    for (let i = n + 1; i < 16; i++) last[i] = 0;
  }
  xorIntoState(last, 0);
  const sub = whole ? 0 : 4;
  for (let i = 0; i < 4; i++) state[i] = state[i]! ^ k[sub + i]!;
  encryptState(s.rk);
  for (let i = 0; i < outLength; i++) out[outOffset + i] = stateByte(i);
}
