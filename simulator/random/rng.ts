/**
 * Seeded pseudo-random numbers: every random choice in a run (shadowing, tmst start values, jitter,
 * DevNonces of 1.0.x devices…) comes from one of these, so the same seed gives the same run.
 *
 * xoshiro128** (Blackman & Vigna, 2018): small state, fast in 32-bit integer arithmetic, good
 * statistical quality; not for cryptography.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number | string) {
    // splitmix32 spreads any seed over the four state words (all-zero state is impossible). Held as
    // int32, as the steps below leave them: a small integer in the object, not a heap number each.
    const x = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    this.s0 = splitmix32(x, 1) | 0;
    this.s1 = splitmix32(x, 2) | 0;
    this.s2 = splitmix32(x, 3) | 0;
    this.s3 = splitmix32(x, 4) | 0;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** Normally distributed (Marsaglia polar method). */
  normal(mean = 0, sigma = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + sigma * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return mean + sigma * u * m;
  }

  /** Exponentially distributed with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextUint32() & 0xff;
    return out;
  }

  /** An independent generator derived from this seed and a label: streams that do not depend on call order. */
  fork(label: string): Rng {
    return new Rng(`${this.nextUint32()}:${label}`);
  }
}

/** The `n`-th output of splitmix32 from state `x`. */
function splitmix32(x: number, n: number): number {
  let z = (x + n * 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  // int32, not uint32: state kept as a small integer in its object, never a heap number.
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a, 32 bits. */
export function hashString(s: string): number {
  return hashContinue(0x811c9dc5, s);
}

/** FNV-1a continued over `s` from the hash of what came before: hashString(a + b) = hashContinue(hashString(a), b). */
export function hashContinue(hash: number, s: string): number {
  let h = hash;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const PIPE = '|'.charCodeAt(0);

/**
 * stableNormal(seed, `${a}|${b}`) for the hash of `${seed}/` (`seedHash`), without making a string:
 * the shadowing of one link, asked for every gateway at every uplink.
 */
export function stableNormalOfPair(seedHash: number, a: string, b: string, sigma = 1): number {
  const h = hashContinue(Math.imul(hashContinue(seedHash, a) ^ PIPE, 0x01000193), b);
  // new Rng(h).normal(0, sigma) with the generator's state in locals (xoshiro128**, as nextUint32):
  // no generator object for each link of each uplink.
  let s0 = splitmix32(h, 1);
  let s1 = splitmix32(h, 2);
  let s2 = splitmix32(h, 3);
  let s3 = splitmix32(h, 4);
  let u = 0;
  let v = 0;
  let s: number;
  do {
    for (let k = 0; k < 2; k++) {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      if (k === 0) u = (r / 4294967296) * 2 - 1;
      else v = (r / 4294967296) * 2 - 1;
    }
    s = u * u + v * v;
  } while (s >= 1 || s === 0);
  return sigma * u * Math.sqrt((-2 * Math.log(s)) / s);
}

/** A value in [0, 1) fixed by a seed and a key: the same pair always gives the same number. */
export function stableUniform(seed: number | string, key: string): number {
  return new Rng(`${seed}/${key}`).next();
}

/** A normal variate fixed by a seed and a key (e.g. the shadowing of one device–gateway link). */
export function stableNormal(seed: number | string, key: string, sigma = 1): number {
  return new Rng(`${seed}/${key}`).normal(0, sigma);
}
