import { aes128Keys, eui64, type AES128Key, type EUI64 } from '../../crypto/types.js';

/**
 * A fleet's EUIs and keys as views of shared chunks. A `Uint8Array` of its own costs a device its
 * backing `ArrayBuffer` too (about 120 bytes of heap for 8 or 32 bytes of data); a view of a chunk
 * that a few hundred devices share costs only the view. The values are checked and copied as
 * `eui64` and `aes128Keys` do, so a view never changes under the cipher cache that keys index.
 */
export class ByteSlab {
  private chunk = new Uint8Array(0);
  private used = 0;

  constructor(private readonly chunkBytes = 16_384) {}

  /** An EUI-64 from hex or bytes, checked as `eui64` checks it. */
  eui64(value: string | Uint8Array, field?: string): EUI64 {
    return this.copy(eui64(value, field)) as EUI64;
  }

  /** AES-128 keys from hex or bytes, checked as `aes128Keys` checks them. */
  aes128Keys(values: readonly (string | Uint8Array)[], fields: readonly string[]): AES128Key[] {
    return aes128Keys(values, fields).map((k) => this.copy(k) as AES128Key);
  }

  private copy(bytes: Uint8Array): Uint8Array {
    if (this.used + bytes.length > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(this.chunkBytes, bytes.length));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + bytes.length);
    view.set(bytes);
    this.used += bytes.length;
    return view;
  }
}
