import {
  aes128Keys,
  eui64,
  rekeyTransient,
  transientKey,
  type AES128Key,
  type EUI64,
} from '../../crypto/index.js';
import type { SessionKeys } from '../lorawan/frame-security.js';

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

  /**
   * An ABP device's session keys kept as bytes of the slab, with no key object of their own (a view
   * is ~96 bytes of heap; see `SlabSessionKeys`). `values` are NwkSKey and AppSKey (LoRaWAN 1.0.x),
   * or FNwkSIntKey, SNwkSIntKey, NwkSEncKey and AppSKey (1.1), checked as `aes128Keys` checks them.
   * With `devEui`, the device's EUI is kept beside them, to be read with `slabDevEui`.
   */
  sessionKeys(
    values: readonly (string | Uint8Array)[],
    fields: readonly string[],
    devEui?: { value: string | Uint8Array; field: string },
  ): SessionKeys {
    if (values.length !== 2 && values.length !== 4)
      throw new RangeError(`session keys are 2 (1.0) or 4 (1.1), got ${values.length}`);
    const keys = aes128Keys(values, fields);
    const eui = devEui === undefined ? undefined : eui64(devEui.value, devEui.field);
    const euiBytes = eui === undefined ? 0 : 8;
    const room = this.reserve(euiBytes + 16 * keys.length);
    if (eui !== undefined) room.set(eui);
    keys.forEach((k, i) => room.set(k, euiBytes + 16 * i));
    return new SlabSessionKeys(this.chunk, room.byteOffset + euiBytes, keys.length === 4, eui !== undefined);
  }

  private copy(bytes: Uint8Array): Uint8Array {
    const view = this.reserve(bytes.length);
    view.set(bytes);
    return view;
  }

  /** Room for `n` bytes in the current chunk (a new one when it is full), taken. */
  private reserve(n: number): Uint8Array {
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(this.chunkBytes, n));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + n);
    this.used += n;
    return view;
  }
}

/*
 * The key objects that stand for slab keys, one for each place a key has in a device's record (1.0:
 * the network key, then AppSKey; 1.1: four), shared by every device in the process: a read of a
 * device's key gives this object with that device's bytes. The crypto keeps their round keys on the
 * objects and expands them again after a change (`rekeyTransient`, as a compact fleet does), so a
 * device whose key object is still current pays nothing.
 */
const SHARED: AES128Key[] = [0, 1, 2, 3].map(() => transientKey(new Uint8Array(16)));
const ownerBytes: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
const ownerAt = [-1, -1, -1, -1];

function shared(slot: number, bytes: Uint8Array, at: number): AES128Key {
  if (ownerBytes[slot] !== bytes || ownerAt[slot] !== at) {
    rekeyTransient(SHARED[slot]!, bytes, at);
    ownerBytes[slot] = bytes;
    ownerAt[slot] = at;
  }
  return SHARED[slot]!;
}

/**
 * Session keys read from a slab. A key read from here is valid until the same key of another slab
 * device is read: it is for use in the frame at hand (build, MIC, decrypt), never to keep — a holder
 * that keeps keys copies their bytes. A LoRaWAN 1.0 device's three network keys are one object, as
 * `sessionKeys10` makes them.
 */
class SlabSessionKeys implements SessionKeys {
  constructor(
    readonly bytes: Uint8Array,
    readonly at: number,
    private readonly v11: boolean,
    /** The device's EUI is kept in the 8 bytes before the keys. */
    readonly withEui: boolean,
  ) {}

  get fNwkSIntKey(): AES128Key {
    return shared(0, this.bytes, this.at);
  }

  get sNwkSIntKey(): AES128Key {
    return this.v11 ? shared(1, this.bytes, this.at + 16) : shared(0, this.bytes, this.at);
  }

  get nwkSEncKey(): AES128Key {
    return this.v11 ? shared(2, this.bytes, this.at + 32) : shared(0, this.bytes, this.at);
  }

  get appSKey(): AES128Key {
    return this.v11 ? shared(3, this.bytes, this.at + 48) : shared(1, this.bytes, this.at + 16);
  }
}

/**
 * The DevEUI kept with slab session keys (`ByteSlab.sessionKeys` with `devEui`), as a view made for
 * this read; undefined for keys kept otherwise.
 */
export function slabDevEui(keys: SessionKeys): EUI64 | undefined {
  if (!(keys instanceof SlabSessionKeys) || !keys.withEui) return undefined;
  return keys.bytes.subarray(keys.at - 8, keys.at) as EUI64;
}
