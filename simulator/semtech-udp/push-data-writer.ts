import { rxpkTime } from './packets.js';

/**
 * One received packet as a gateway forwards it: what the `rxpk` object of a PUSH_DATA says
 * (packet_forwarder PROTOCOL.TXT §4), before it is written as JSON.
 */
export interface RxpkFields {
  tmst: number;
  /** UTC of the end of the frame, ms; absent when the gateway has no GPS (no `time`, no `tmms`). */
  wallMs: number | undefined;
  gpsMs: number;
  chan: number;
  rfch: number;
  frequencyHz: number;
  modulation: 'LORA' | 'FSK';
  datr: string | number;
  codr: string;
  snr: number;
  rssi: number;
  /** Adds the `rsig` array of an SX1301 v2 / SX1302 forwarder. */
  rsig: boolean;
  data: Uint8Array;
}

const B64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) =>
  c.charCodeAt(0),
);
const HEADER_BYTES = 12;
const SLAB_BYTES = 65_536;

/**
 * Writes the JSON of a PUSH_DATA straight into the datagram's bytes, one rxpk at a time: no string per
 * rxpk, no join, no UTF-8 encoding of the whole and no copy behind a header — the gateway's share of
 * an uplink, thousands of times a second. The text is what JSON.stringify-style code would write,
 * members in the packet_forwarder's order, numbers as it formats them (`freq` with six decimals, `lsnr`
 * with one).
 *
 * Each datagram gets bytes of its own, never written again (a socket may still hold the previous one):
 * datagrams follow one another in a 64 KiB slab, a new slab when one is full — one allocation every
 * couple of hundred datagrams, not one each.
 */
export class PushDataWriter {
  private buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
  /** Where the datagram being written starts in `buf`. */
  private start = 0;
  private pos = HEADER_BYTES;
  private n = 0;

  /** rxpk written since the last `finish`. */
  get count(): number {
    return this.n;
  }

  rxpk(r: RxpkFields): void {
    // Worst case of the fixed members (~360 B with rsig), the base64 of the payload, and the strings
    // at six bytes a character (a \uXXXX escape; UTF-8 takes at most three).
    const datr = String(r.datr);
    this.reserve(400 + Math.ceil(r.data.length / 3) * 4 + 6 * (datr.length + r.codr.length));
    this.ascii(this.n === 0 ? '{"rxpk":[{"tmst":' : ',{"tmst":');
    this.n++;
    this.int(r.tmst);
    if (r.wallMs !== undefined) {
      this.ascii(',"time":"');
      this.ascii(rxpkTime(r.wallMs));
      this.ascii('","tmms":');
      this.int(r.gpsMs);
    }
    this.ascii(',"chan":');
    this.int(r.chan);
    this.ascii(',"rfch":');
    this.int(r.rfch);
    this.ascii(',"freq":');
    this.mhz(r.frequencyHz);
    if (r.modulation === 'LORA') {
      this.ascii(',"stat":1,"modu":"LORA","datr":');
      this.str(datr);
      this.ascii(',"codr":');
      this.str(r.codr);
      this.ascii(',"lsnr":');
      this.ascii(r.snr.toFixed(1));
    } else {
      this.ascii(',"stat":1,"modu":"FSK","datr":');
      // An FSK data rate is a number (bits/s); a string would be written as one, quoted.
      if (typeof r.datr === 'number') this.ascii(datr);
      else this.str(datr);
    }
    this.ascii(',"rssi":');
    this.int(Math.round(r.rssi));
    if (r.rsig) {
      this.ascii(',"rsig":[{"ant":0,"chan":');
      this.int(r.chan);
      this.ascii(',"rssic":');
      this.int(Math.round(r.rssi));
      this.ascii(',"lsnr":');
      this.ascii(r.snr.toFixed(1));
      this.ascii('}]');
    }
    this.ascii(',"size":');
    this.int(r.data.length);
    this.ascii(',"data":"');
    this.base64(r.data);
    this.ascii('"}');
  }

  /**
   * The datagram: `header` (12 bytes: version, token, PUSH_DATA, gateway EUI), the rxpk written so far
   * and `statJson`, when given, as its `stat`. The writer starts a new datagram.
   */
  finish(header: Uint8Array, statJson?: string): Buffer {
    if (statJson !== undefined) {
      this.reserve(16 + statJson.length * 3);
      if (this.n > 0) this.ascii('],"stat":');
      else this.ascii('{"stat":');
      this.pos += this.buf.write(statJson, this.pos, 'utf8');
      this.ascii('}');
    } else if (this.n > 0) this.ascii(']}');
    else this.ascii('{}');
    this.buf.set(header.subarray(0, HEADER_BYTES), this.start);
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    this.pos = this.start + HEADER_BYTES;
    this.n = 0;
    if (this.pos > this.buf.length) this.reserve(0);
    return out;
  }

  /** Room for `bytes` more after `pos`: the datagram so far moves to a new slab when this one is full. */
  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const written = this.pos - this.start;
    const slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, 2 * (written + bytes)));
    this.buf.copy(slab, 0, this.start, this.pos);
    this.buf = slab;
    this.start = 0;
    this.pos = written;
  }

  /** A string known to be printable ASCII with nothing to escape (the writer's own text). */
  private ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /**
   * A JSON string value: quoted, escaped by JSON.stringify when it holds anything but plain ASCII.
   * The caller has reserved six bytes a character.
   */
  private str(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.pos += this.buf.write(JSON.stringify(s), this.pos, 'utf8');
        return;
      }
    }
    this.buf[this.pos++] = 0x22;
    this.ascii(s);
    this.buf[this.pos++] = 0x22;
  }

  /** A whole number as JSON writes it; anything else through String (as a template literal would). */
  private int(v: number): void {
    if (!Number.isSafeInteger(v)) return this.ascii(String(v));
    if (v < 0) {
      this.buf[this.pos++] = 0x2d;
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    this.padded(v, digits);
  }

  /** `v` (≥ 0) in exactly `digits` decimal digits, zero-padded on the left. */
  private padded(v: number, digits: number): void {
    const b = this.buf;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      const q = Math.floor(v / 10);
      b[i] = 0x30 + (v - q * 10);
      v = q;
    }
    this.pos += digits;
  }

  /** Hz as MHz with six decimals, as `(hz / 1e6).toFixed(6)` writes a whole number of Hz. */
  private mhz(hz: number): void {
    if (!Number.isSafeInteger(hz) || hz < 0) return this.ascii((hz / 1e6).toFixed(6));
    const whole = Math.floor(hz / 1e6);
    this.int(whole);
    this.buf[this.pos++] = 0x2e;
    this.padded(hz - whole * 1e6, 6);
  }

  /** RFC 4648 §4 base64 with padding, as Buffer#toString('base64') writes it. */
  private base64(d: Uint8Array): void {
    const b = this.buf;
    let p = this.pos;
    const whole = d.length - (d.length % 3);
    for (let i = 0; i < whole; i += 3) {
      const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
      b[p++] = B64[v >>> 18]!;
      b[p++] = B64[(v >>> 12) & 63]!;
      b[p++] = B64[(v >>> 6) & 63]!;
      b[p++] = B64[v & 63]!;
    }
    const rest = d.length - whole;
    if (rest > 0) {
      const v = (d[whole]! << 16) | (rest === 2 ? d[whole + 1]! << 8 : 0);
      b[p++] = B64[v >>> 18]!;
      b[p++] = B64[(v >>> 12) & 63]!;
      b[p++] = rest === 2 ? B64[(v >>> 6) & 63]! : 0x3d;
      b[p++] = 0x3d;
    }
    this.pos = p;
  }
}
