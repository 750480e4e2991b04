import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { StateStoreError } from './errors.js';

/**
 * FCntUp bounds of a compact fleet on disk: 4 bytes per device (little-endian), at offset 4 × the
 * device's index in its fleet. A bound is written before the first frame that reaches it, so after a
 * crash every device resumes above any FCntUp it may have used. Shards write disjoint offsets of the
 * same file; the file is readable by its owner only, like the device state store.
 */
export class FCntFile {
  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  static open(file: string): FCntFile {
    try {
      // Created if missing, never truncated: shards and worker threads open it at the same time.
      const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
      return new FCntFile(file, fd);
    } catch (e) {
      throw new StateStoreError(file, `cannot open (${(e as Error).message})`, { cause: e });
    }
  }

  /** The saved bound of device `index` (0 when it never sent). */
  bound(index: number): number {
    if ((index + 1) * 4 > fstatSync(this.fd).size) return 0;
    const b = Buffer.alloc(4);
    readSync(this.fd, b, 0, 4, index * 4);
    return b.readUInt32LE(0);
  }

  /** Every bound at once, for a fleet starting up (`count` devices). */
  bounds(count: number): Uint32Array {
    const out = new Uint32Array(count);
    const size = fstatSync(this.fd).size;
    const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    readSync(this.fd, b, 0, Math.min(size, b.length), 0);
    return out;
  }

  /** Durable against a process kill when this returns (write(2) done). */
  reserve(index: number, bound: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(bound >>> 0, 0);
    writeSync(this.fd, b, 0, 4, index * 4);
  }

  /**
   * Bounds of many devices: `bounds[k]` for the device at `indices[k]`, written as one write for each
   * run of consecutive indices (one in all for a whole fleet; a shard's devices, nearest to its
   * gateways, come in shorter runs). Durable against a process kill when this returns.
   */
  reserveMany(indices: ArrayLike<number>, bounds: Uint32Array): void {
    let k = 0;
    while (k < indices.length) {
      let end = k + 1;
      while (end < indices.length && indices[end] === indices[end - 1]! + 1) end++;
      const run = Buffer.allocUnsafe((end - k) * 4);
      for (let j = k; j < end; j++) run.writeUInt32LE(bounds[j]! >>> 0, (j - k) * 4);
      writeSync(this.fd, run, 0, run.length, indices[k]! * 4);
      k = end;
    }
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
