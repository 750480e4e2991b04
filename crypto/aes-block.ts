/**
 * AES-128 encryption of single blocks in JavaScript (FIPS-197), for keys that change from frame to
 * frame. A LoRaWAN frame needs two to six AES blocks under two keys, and a fleet of a million devices
 * rarely uses the same key twice in a row: with node:crypto every frame pays a cipher object per key
 * (~3 µs each) and a Buffer per call, several times the AES work itself. Here a key costs one
 * expansion into 44 words (no allocation when the words are reused) and a block ~0.2 µs.
 *
 * Table-driven: not constant-time. lorafleet encrypts the frames of simulated devices, whose keys the
 * user chose for a test; nothing here defends a secret against a co-located timing attacker.
 *
 * Checked against FIPS-197 and SP 800-38A vectors, node:crypto and node-forge (test/crypto).
 */

/**
 * The 44 round-key words of an AES-128 key (FIPS-197 §5.2), big-endian. Signed words: V8 keeps Int32
 * elements as small integers, where Uint32 values above 2^31 would become doubles.
 */
export type RoundKeys = Int32Array;

const SBOX = new Uint8Array(256);
// T-tables: TE0[x] = SubBytes then MixColumns of byte x in row 0; TE1..TE3 are its byte rotations.
const TE0 = new Int32Array(256);
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);
const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2.1).
const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;

(function buildTables() {
  // Walk the multiplicative group with generator 3 to get inverses, then the affine map (§5.1.1).
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= xtime(x);
  }
  for (let a = 0; a < 256; a++) {
    const inv = a === 0 ? 0 : exp[(255 - log[a]!) % 255]!;
    let s = inv;
    for (let r = 1; r < 5; r++) s ^= ((inv << r) | (inv >>> (8 - r))) & 0xff;
    SBOX[a] = s ^ 0x63;
  }
  for (let a = 0; a < 256; a++) {
    const s = SBOX[a]!;
    const s2 = xtime(s);
    const s3 = s2 ^ s;
    // MixColumns column (2, 1, 1, 3)·s, as a big-endian word.
    const t = (s2 << 24) | (s << 16) | (s << 8) | s3;
    TE0[a] = t;
    TE1[a] = (t >>> 8) | (t << 24);
    TE2[a] = (t >>> 16) | (t << 16);
    TE3[a] = (t >>> 24) | (t << 8);
  }
})();

const subWord = (w: number) =>
  (SBOX[w >>> 24]! << 24) |
  (SBOX[(w >>> 16) & 0xff]! << 16) |
  (SBOX[(w >>> 8) & 0xff]! << 8) |
  SBOX[w & 0xff]!;

/** FIPS-197 §5.2 key expansion of a 16-byte key into `out` (44 words). */
export function expandKey128(key: Uint8Array, out: RoundKeys = new Int32Array(44)): RoundKeys {
  for (let i = 0; i < 4; i++) out[i] = readWord(key, 4 * i);
  for (let i = 4; i < 44; i++) {
    let t = out[i - 1]!;
    if ((i & 3) === 0) t = subWord((t << 8) | (t >>> 24)) ^ (RCON[(i >>> 2) - 1]! << 24);
    out[i] = out[i - 4]! ^ t;
  }
  return out;
}

const readWord = (b: Uint8Array, o: number) =>
  (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;

/**
 * The cipher state between calls: four big-endian words. Functions here read and write it instead of
 * returning a fresh array, so CBC-MAC chains and keystreams allocate nothing.
 */
export const state = new Int32Array(4);

/** Encrypts the block held in `state` under `rk` (FIPS-197 §5.1), in place. */
export function encryptState(rk: RoundKeys): void {
  let s0 = state[0]! ^ rk[0]!;
  let s1 = state[1]! ^ rk[1]!;
  let s2 = state[2]! ^ rk[2]!;
  let s3 = state[3]! ^ rk[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++, k += 4) {
    const t0 =
      TE0[s0 >>> 24]! ^ TE1[(s1 >>> 16) & 0xff]! ^ TE2[(s2 >>> 8) & 0xff]! ^ TE3[s3 & 0xff]! ^ rk[k]!;
    const t1 =
      TE0[s1 >>> 24]! ^ TE1[(s2 >>> 16) & 0xff]! ^ TE2[(s3 >>> 8) & 0xff]! ^ TE3[s0 & 0xff]! ^ rk[k + 1]!;
    const t2 =
      TE0[s2 >>> 24]! ^ TE1[(s3 >>> 16) & 0xff]! ^ TE2[(s0 >>> 8) & 0xff]! ^ TE3[s1 & 0xff]! ^ rk[k + 2]!;
    const t3 =
      TE0[s3 >>> 24]! ^ TE1[(s0 >>> 16) & 0xff]! ^ TE2[(s1 >>> 8) & 0xff]! ^ TE3[s2 & 0xff]! ^ rk[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // The last round has no MixColumns: SubBytes and ShiftRows only.
  state[0] = lastRound(s0, s1, s2, s3) ^ rk[40]!;
  state[1] = lastRound(s1, s2, s3, s0) ^ rk[41]!;
  state[2] = lastRound(s2, s3, s0, s1) ^ rk[42]!;
  state[3] = lastRound(s3, s0, s1, s2) ^ rk[43]!;
}

const lastRound = (a: number, b: number, c: number, d: number) =>
  (SBOX[a >>> 24]! << 24) |
  (SBOX[(b >>> 16) & 0xff]! << 16) |
  (SBOX[(c >>> 8) & 0xff]! << 8) |
  SBOX[d & 0xff]!;

/** Loads 16 bytes at `src[offset…]` into `state`. */
export function loadState(src: Uint8Array, offset: number): void {
  state[0] = readWord(src, offset);
  state[1] = readWord(src, offset + 4);
  state[2] = readWord(src, offset + 8);
  state[3] = readWord(src, offset + 12);
}

/** XORs 16 bytes at `src[offset…]` into `state` (a CBC-MAC step before encrypting). */
export function xorIntoState(src: Uint8Array, offset: number): void {
  state[0] = state[0]! ^ readWord(src, offset);
  state[1] = state[1]! ^ readWord(src, offset + 4);
  state[2] = state[2]! ^ readWord(src, offset + 8);
  state[3] = state[3]! ^ readWord(src, offset + 12);
}

/** Byte `i` (0–15) of `state`. */
export const stateByte = (i: number) => (state[i >>> 2]! >>> (24 - 8 * (i & 3))) & 0xff;

/** Encrypts `blocks` (whole 16-byte blocks, ECB) under `rk` into `out` (may be `blocks` itself). */
export function encryptBlocks(rk: RoundKeys, blocks: Uint8Array, out: Uint8Array): Uint8Array {
  for (let o = 0; o < blocks.length; o += 16) {
    loadState(blocks, o);
    encryptState(rk);
    for (let i = 0; i < 16; i++) out[o + i] = stateByte(i);
  }
  return out;
}
