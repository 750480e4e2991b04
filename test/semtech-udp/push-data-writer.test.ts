import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PushDataWriter, type RxpkFields } from '../../simulator/semtech-udp/push-data-writer.js';

/** The oracle: the rxpk as template strings, toFixed, JSON.stringify and Buffer's base64 write it. */
function expectedRxpk(r: RxpkFields): string {
  let s = `{"tmst":${r.tmst}`;
  if (r.wallMs !== undefined) {
    const us = Math.round(r.wallMs * 1000);
    const second = Math.floor(us / 1e6);
    const iso = new Date(second * 1000).toISOString().slice(0, 20);
    s += `,"time":"${iso}${String(us - second * 1e6).padStart(6, '0')}Z","tmms":${r.gpsMs}`;
  }
  s += `,"chan":${r.chan},"rfch":${r.rfch},"freq":${(r.frequencyHz / 1e6).toFixed(6)},"stat":1`;
  s +=
    r.modulation === 'LORA'
      ? `,"modu":"LORA","datr":${JSON.stringify(String(r.datr))},"codr":${JSON.stringify(r.codr)},"lsnr":${r.snr.toFixed(1)}`
      : `,"modu":"FSK","datr":${typeof r.datr === 'number' ? r.datr : JSON.stringify(r.datr)}`;
  s += `,"rssi":${Math.round(r.rssi)}`;
  if (r.rsig)
    s += `,"rsig":[{"ant":0,"chan":${r.chan},"rssic":${Math.round(r.rssi)},"lsnr":${r.snr.toFixed(1)}}]`;
  return `${s},"size":${r.data.length},"data":"${Buffer.from(r.data).toString('base64')}"}`;
}

const rxpk: fc.Arbitrary<RxpkFields> = fc.record({
  tmst: fc.nat({ max: 0xffffffff }),
  wallMs: fc.option(fc.double({ min: 1e12, max: 4e12, noNaN: true }), { nil: undefined }),
  gpsMs: fc.nat({ max: 4e12 }),
  chan: fc.nat({ max: 9 }),
  rfch: fc.nat({ max: 1 }),
  frequencyHz: fc.oneof(
    fc.integer({ min: 0, max: 2_000_000_000 }),
    fc.double({ min: 1e8, max: 1e9, noNaN: true }),
  ),
  modulation: fc.constantFrom('LORA' as const, 'FSK' as const),
  datr: fc.oneof(
    fc.constantFrom('SF7BW125', 'SF12BW500', 'M-SF9'),
    fc.string(),
    // Longer than the room an rxpk reserves for its fixed members.
    fc.integer({ min: 1500, max: 2500 }).map((n) => 'SF'.repeat(n)),
    fc.integer({ min: 0, max: 300_000 }),
  ),
  codr: fc.oneof(fc.constantFrom('4/5', '4/8', 'OFF'), fc.string({ unit: 'grapheme' })),
  snr: fc.double({ min: -30, max: 20, noNaN: true }),
  rssi: fc.double({ min: -150, max: 0, noNaN: true }),
  rsig: fc.boolean(),
  data: fc.uint8Array({ maxLength: 255 }),
});

describe('PushDataWriter', () => {
  it('writes the bytes of header + JSON that string templates and JSON.stringify would, for any rxpk and stat', () => {
    // One writer for every run: datagrams follow one another in its slabs, across slab boundaries.
    const w = new PushDataWriter();
    fc.assert(
      fc.property(
        fc.array(rxpk, { maxLength: 12 }),
        fc.option(
          fc.jsonValue().map((v) => JSON.stringify({ v })),
          { nil: undefined },
        ),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (list, stat, header) => {
          fc.pre(list.length > 0 || stat !== undefined);
          for (const r of list) w.rxpk(r);
          expect(w.count).toBe(list.length);
          const parts: string[] = [];
          if (list.length > 0) parts.push(`"rxpk":[${list.map(expectedRxpk).join(',')}]`);
          if (stat !== undefined) parts.push(`"stat":${stat}`);
          const datagram = w.finish(header, stat);
          expect(Buffer.from(datagram.subarray(0, 12))).toEqual(Buffer.from(header));
          expect(datagram.subarray(12).toString('utf8')).toBe(`{${parts.join(',')}}`);
          expect(w.count).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives each datagram its own bytes: later ones, in this slab or the next, overwrite none', () => {
    const w = new PushDataWriter();
    const sample = fc.sample(rxpk, { numRuns: 50, seed: 7 });
    const sent: { datagram: Buffer; copy: Buffer }[] = [];
    // Small and large datagrams, past several 64 KiB slabs; one larger than a slab.
    for (let i = 0; i < 600; i++) {
      const n = i === 300 ? 400 : 1 + (i % 7);
      for (let k = 0; k < n; k++)
        w.rxpk({ ...sample[(i + k) % sample.length]!, data: new Uint8Array(255).fill(i) });
      const datagram = w.finish(new Uint8Array(12).fill(i & 255));
      sent.push({ datagram, copy: Buffer.from(datagram) });
    }
    for (const { datagram, copy } of sent) expect(datagram).toEqual(copy);
    expect(sent[300]!.datagram.length).toBeGreaterThan(65_536);
  });
});
