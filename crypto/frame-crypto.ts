import { keySchedule } from './aes.js';
import { encryptState, loadState, state, stateByte } from './aes-block.js';
import { aesCmacInto } from './aes-cmac.js';
import { writeUint16LE, writeUint32LE } from './blocks.js';
import { CryptoInputError } from './errors.js';
import type { AES128Key, Direction } from './types.js';

/**
 * Encryption and MICs of data frames. `devAddr` is the 32-bit DevAddr, `fCnt` the full 32-bit frame
 * counter (only its low 16 bits are on air, but all 32 enter the A and B blocks).
 */

// Scratch space reused by every call: the functions are synchronous, so nothing can interleave.
const bBlock = new Uint8Array(16);

const reverse32 = (v: number) =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/**
 * Loads A_i = 0x01 | 0x00×4 | Dir | DevAddr | FCnt | 0x00 | i (LoRaWAN 1.1 §4.3.3.1; DevAddr and FCnt
 * little-endian) into the cipher state as its four big-endian words.
 */
function aBlock(dir: number, devAddr: number, fCnt: number, i: number): void {
  const a = reverse32(devAddr);
  const f = reverse32(fCnt);
  state[0] = 0x01000000;
  state[1] = (dir << 16) | (a >>> 16);
  state[2] = ((a & 0xffff) << 16) | (f >>> 16);
  state[3] = ((f & 0xffff) << 16) | i;
}

function checkCounter(fCnt: number): void {
  if (!Number.isInteger(fCnt) || fCnt < 0 || fCnt > 0xffffffff) {
    throw new CryptoInputError('FCnt', fCnt, 'a 32-bit unsigned integer');
  }
}

/**
 * XORs `buf[start, end)` in place with the FRMPayload keystream (LoRaWAN 1.1 §4.3.3.1):
 * A_i = 0x01 | 0x00×4 | Dir | DevAddr | FCnt | 0x00 | i, S = aes128_encrypt(K, A_1) | aes128_encrypt(K, A_2) | …
 * The operation is its own inverse. Key: AppSKey for FPort > 0, NwkSEncKey (1.0: NwkSKey) for FPort 0.
 */
export function cryptFRMPayloadInPlace(
  key: AES128Key,
  direction: Direction,
  devAddr: number,
  fCnt: number,
  buf: Uint8Array,
  start: number,
  end: number,
): void {
  const len = end - start;
  if (len <= 0) return;
  if (len > 255) throw new CryptoInputError('FRMPayload', buf.subarray(start, end), 'at most 255 bytes');
  checkCounter(fCnt);
  const rk = keySchedule(key).rk;
  const dir = direction === 'up' ? 0 : 1;
  for (let o = 0; o < len; o += 16) {
    aBlock(dir, devAddr, fCnt, o / 16 + 1);
    encryptState(rk);
    const n = Math.min(16, len - o);
    for (let i = 0; i < n; i++) buf[start + o + i]! ^= stateByte(i);
  }
}

/**
 * Keystreams of `count` consecutive frame counters from `firstFCnt`, each `blocksPerFrame` blocks
 * long: frame j's keystream is bytes [16·blocksPerFrame·j, 16·blocksPerFrame·(j+1)). A device sends its
 * counters in order, so one key expansion can serve many frames.
 */
export function frmPayloadKeystreams(
  key: AES128Key,
  direction: Direction,
  devAddr: number,
  firstFCnt: number,
  count: number,
  blocksPerFrame: number,
): Uint8Array {
  checkCounter(firstFCnt);
  const perFrame = blocksPerFrame;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(perFrame) || perFrame < 1 || perFrame > 16) {
    throw new CryptoInputError('keystream shape', `${count}×${blocksPerFrame}`, 'at least one block');
  }
  const out = new Uint8Array(count * perFrame * 16);
  const rk = keySchedule(key).rk;
  const dir = direction === 'up' ? 0 : 1;
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < perFrame; i++) {
      aBlock(dir, devAddr, (firstFCnt + j) >>> 0, i + 1);
      encryptState(rk);
      const o = (j * perFrame + i) * 16;
      for (let b = 0; b < 16; b++) out[o + b] = stateByte(b);
    }
  }
  return out;
}

/** FRMPayload encryption or decryption (the same operation), returning a new array. */
export function cryptFRMPayload(
  key: AES128Key,
  direction: Direction,
  devAddr: number,
  fCnt: number,
  payload: Uint8Array,
): Uint8Array {
  const out = Uint8Array.from(payload);
  cryptFRMPayloadInPlace(key, direction, devAddr, fCnt, out, 0, out.length);
  return out;
}

/** Which frame counter a 1.1 frame uses; it selects the A block constant for FOpts encryption. */
export type FOptsCounter = 'FCntUp' | 'NFCntDown' | 'AFCntDown';

/**
 * FOpts encryption in LoRaWAN 1.1, as corrected by the "FOpts Encryption, Usage of FCntDwn" errata
 * and implemented by LoRaMac-node and The Things Stack (not the literal 1.1.0 text):
 * A = 0x01 | 0x00×3 | X | Dir | DevAddr | FCnt | 0x00 | 0x01, X = 0x02 for AFCntDown, else 0x01.
 * Key: NwkSEncKey. LoRaWAN 1.0.x sends FOpts in clear.
 */
export function cryptFOpts(
  nwkSEncKey: AES128Key,
  direction: Direction,
  devAddr: number,
  fCnt: number,
  counter: FOptsCounter,
  fOpts: Uint8Array,
): Uint8Array {
  const out = Uint8Array.from(fOpts);
  cryptFOptsInPlace(nwkSEncKey, direction, devAddr, fCnt, counter, out, 0, out.length);
  return out;
}

export function cryptFOptsInPlace(
  nwkSEncKey: AES128Key,
  direction: Direction,
  devAddr: number,
  fCnt: number,
  counter: FOptsCounter,
  buf: Uint8Array,
  start: number,
  end: number,
): void {
  const len = end - start;
  if (len <= 0) return;
  if (len > 15) throw new CryptoInputError('FOpts', buf.subarray(start, end), 'at most 15 bytes');
  checkCounter(fCnt);
  bBlock.fill(0);
  bBlock[0] = 0x01;
  bBlock[4] = counter === 'AFCntDown' ? 0x02 : 0x01;
  bBlock[5] = direction === 'up' ? 0 : 1;
  writeUint32LE(bBlock, 6, devAddr);
  writeUint32LE(bBlock, 10, fCnt);
  bBlock[15] = 0x01;
  loadState(bBlock, 0);
  encryptState(keySchedule(nwkSEncKey).rk);
  for (let i = 0; i < len; i++) buf[start + i]! ^= stateByte(i);
}

function checkMsg(length: number, msg: Uint8Array): void {
  if (length > 255 || length > msg.length) throw new CryptoInputError('msg', msg, 'at most 255 bytes');
}

// LoRaWAN 1.1 §4.4 Figure 19: B0 = 0x49 | ConfFCnt | 0x00 0x00 | Dir | DevAddr | FCnt | 0x00 | len(msg).
function fillB0(confFCnt: number, direction: Direction, devAddr: number, fCnt: number, len: number): void {
  bBlock[0] = 0x49;
  writeUint16LE(bBlock, 1, confFCnt);
  bBlock[3] = 0;
  bBlock[4] = 0;
  bBlock[5] = direction === 'up' ? 0 : 1;
  writeUint32LE(bBlock, 6, devAddr);
  writeUint32LE(bBlock, 10, fCnt);
  bBlock[14] = 0;
  bBlock[15] = len;
}

/*
 * The MIC functions take msg = MHDR | FHDR | FPort | FRMPayload, optionally as the first `length`
 * bytes of a larger buffer, and write the 4-byte MIC to `out` (a new array by default). A frame
 * builder passes the frame itself for both, so the MIC lands in place with no copies.
 */

/**
 * LoRaWAN 1.0.x data MIC (1.0.2 §4.4): cmac(NwkSKey, B0 | msg)[0..3]. Also the uplink MIC of a 1.1
 * device on a 1.0 network (with FNwkSIntKey).
 */
export function dataMic10(
  nwkSKey: AES128Key,
  direction: Direction,
  devAddr: number,
  fCnt: number,
  msg: Uint8Array,
  length = msg.length,
  out: Uint8Array = new Uint8Array(4),
  outOffset = 0,
): Uint8Array {
  checkMsg(length, msg);
  checkCounter(fCnt);
  fillB0(0, direction, devAddr, fCnt, length);
  aesCmacInto(nwkSKey, bBlock, msg, length, out, outOffset, 4);
  return out;
}

/**
 * LoRaWAN 1.1 uplink MIC (§4.4 Figures 19–20): cmacS = cmac(SNwkSIntKey, B1 | msg),
 * cmacF = cmac(FNwkSIntKey, B0 | msg), MIC = cmacS[0..1] | cmacF[0..1].
 * B1 = 0x49 | ConfFCnt | TxDr | TxCh | 0x00 | DevAddr | FCntUp | 0x00 | len(msg).
 * ConfFCnt is the FCntDown (mod 2^16) of the confirmed downlink this frame ACKs, else 0.
 */
export function dataUplinkMic11(
  fNwkSIntKey: AES128Key,
  sNwkSIntKey: AES128Key,
  confFCnt: number,
  txDr: number,
  txCh: number,
  devAddr: number,
  fCnt: number,
  msg: Uint8Array,
  length = msg.length,
  out: Uint8Array = new Uint8Array(4),
  outOffset = 0,
): Uint8Array {
  checkMsg(length, msg);
  checkCounter(fCnt);
  fillB0(0, 'up', devAddr, fCnt, length);
  aesCmacInto(fNwkSIntKey, bBlock, msg, length, out, outOffset + 2, 2);
  fillB0(confFCnt & 0xffff, 'up', devAddr, fCnt, length);
  bBlock[3] = txDr;
  bBlock[4] = txCh;
  aesCmacInto(sNwkSIntKey, bBlock, msg, length, out, outOffset, 2);
  return out;
}

/**
 * LoRaWAN 1.1 downlink MIC (§4.4 Figure 18): cmac(SNwkSIntKey, B0 | msg)[0..3] with Dir = 1 and
 * ConfFCnt = the FCntUp (mod 2^16) of the confirmed uplink this frame ACKs, else 0.
 */
export function dataDownlinkMic11(
  sNwkSIntKey: AES128Key,
  confFCnt: number,
  devAddr: number,
  fCnt: number,
  msg: Uint8Array,
  length = msg.length,
  out: Uint8Array = new Uint8Array(4),
  outOffset = 0,
): Uint8Array {
  checkMsg(length, msg);
  checkCounter(fCnt);
  fillB0(confFCnt & 0xffff, 'down', devAddr, fCnt, length);
  aesCmacInto(sNwkSIntKey, bBlock, msg, length, out, outOffset, 4);
  return out;
}
