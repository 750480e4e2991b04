import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UdpPacketError } from '../../simulator/semtech-udp/errors.js';
import {
  decodeBase64,
  decodeUdpPacket,
  encodeUdpPacket,
  gpsTimeMs,
  rxpkTime,
  statTime,
  wallClockFromGpsMs,
  type UdpPacket,
} from '../../simulator/semtech-udp/packets.js';
import { bytes } from '../helpers/arbitraries.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('udp.json (datagram layouts)', () => {
  it.each(loadVectors<V>('udp').map((v) => [v.description as string, v]))('%s', (_d, v) => {
    const bytesIn = hex(v.datagram);
    if (v.rejectVersion3Example !== undefined) {
      expect(() => decodeUdpPacket(hex(v.rejectVersion3Example))).toThrowError(UdpPacketError);
    }
    const p = decodeUdpPacket(bytesIn);
    const f = v.fields;
    expect(p.version).toBe(f.protocolVersion);
    expect(p.type).toBe(String(f.identifier).split('(')[1]!.replace(')', ''));
    if (f.tokenBytes !== undefined)
      expect(toHex(Uint8Array.of(p.token >> 8, p.token & 0xff))).toBe(f.tokenBytes);
    if (f.gatewayEui !== undefined && 'gatewayEui' in p) expect(toHex(p.gatewayEui)).toBe(f.gatewayEui);
    if (f.json !== undefined && 'body' in p) expect(p.body).toEqual(JSON.parse(f.json));
    if (f.trailingZero) {
      expect('body' in p && p.body).toBeFalsy(); // a lone 0x00 after the EUI means "no error"
    } else {
      // Re-encoding gives the same bytes (JSON bodies are compact, as in the vectors).
      expect(toHex(encodeUdpPacket(p))).toBe(v.datagram);
    }
  });
});

const packet: fc.Arbitrary<UdpPacket> = fc.oneof(
  fc.record({
    type: fc.constant('PUSH_ACK' as const),
    version: fc.constant(2),
    token: fc.nat({ max: 0xffff }),
  }),
  fc.record({
    type: fc.constant('PULL_ACK' as const),
    version: fc.constant(2),
    token: fc.nat({ max: 0xffff }),
  }),
  fc.record({
    type: fc.constant('PULL_DATA' as const),
    version: fc.constant(2),
    token: fc.nat({ max: 0xffff }),
    gatewayEui: bytes(8, 8),
  }),
  fc.record({
    type: fc.constant('PUSH_DATA' as const),
    version: fc.constant(2),
    token: fc.nat({ max: 0xffff }),
    gatewayEui: bytes(8, 8),
    body: fc.record({
      rxpk: fc.array(
        fc.record({
          tmst: fc.nat({ max: 0xffffffff }),
          chan: fc.nat({ max: 9 }),
          rfch: fc.nat({ max: 1 }),
          freq: fc.integer({ min: 863_000_000, max: 928_000_000 }).map((f) => f / 1e6),
          stat: fc.constant(1 as const),
          modu: fc.constant('LORA' as const),
          datr: fc.constantFrom('SF7BW125', 'SF12BW125', 'SF8BW500'),
          codr: fc.constant('4/5'),
          rssi: fc.integer({ min: -140, max: 0 }),
          lsnr: fc.integer({ min: -200, max: 150 }).map((x) => x / 10),
          size: fc.nat({ max: 255 }),
          data: bytes(0, 40).map((b) => Buffer.from(b).toString('base64')),
        }),
        { maxLength: 8 },
      ),
    }),
  }),
  fc.record({
    type: fc.constant('TX_ACK' as const),
    version: fc.constant(2),
    token: fc.nat({ max: 0xffff }),
    gatewayEui: bytes(8, 8),
    body: fc.record({
      txpk_ack: fc.record({ error: fc.constantFrom('TOO_LATE', 'TX_FREQ', 'COLLISION_PACKET') }),
    }),
  }),
);

describe('Semtech UDP codec', () => {
  it('decode(encode(p)) = p for every packet type', () => {
    fc.assert(
      fc.property(packet, (p) => {
        expect(decodeUdpPacket(encodeUdpPacket(p))).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects malformed datagrams with typed errors only, naming the reason', () => {
    const reason = (b: Uint8Array) => {
      try {
        decodeUdpPacket(b);
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(UdpPacketError);
        return (e as UdpPacketError).reason;
      }
    };
    expect(reason(hex('0201'))).toBe('truncated');
    expect(reason(hex('03000001'))).toBe('version');
    expect(reason(hex('02000009'))).toBe('type');
    expect(reason(hex('0200000001020304'))).toBe('truncated'); // PUSH_DATA without a whole EUI
    expect(reason(Uint8Array.from([...hex('020000000102030405060708'), ...Buffer.from('{"rxpk":[')]))).toBe(
      'json',
    );
    expect(reason(Uint8Array.from([...hex('02000003'), ...Buffer.from('[1,2]')]))).toBe('json');
    fc.assert(
      fc.property(bytes(0, 64), (b) => {
        reason(b);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes base64 strictly', () => {
    expect(toHex(decodeBase64('QPF9vkkAAgABlUN4disR/w0=', 'data'))).toBe(
      '40f17dbe4900020001954378762b11ff0d',
    );
    expect(() => decodeBase64('QPF9*kkA', 'data')).toThrowError(/not base64/);
    expect(() => decodeBase64(42 as unknown as string, 'data')).toThrowError(UdpPacketError);
  });

  it('writes time fields as the packet forwarder does', () => {
    const t = Date.UTC(2013, 2, 31, 16, 21, 17, 528) + 0.002;
    expect(rxpkTime(t)).toBe('2013-03-31T16:21:17.528002Z');
    expect(statTime(Date.UTC(2014, 0, 12, 8, 59, 28))).toBe('2014-01-12 08:59:28 GMT');
    // GPS time runs 18 s ahead of UTC; its epoch is 1980-01-06.
    expect(gpsTimeMs(Date.UTC(1980, 0, 6))).toBe(18_000);
    expect(wallClockFromGpsMs(gpsTimeMs(1_700_000_000_123))).toBe(1_700_000_000_123);
  });

  it('writes rxpk time to the microsecond, whatever second came before (the second is kept)', () => {
    // Independent of how rxpkTime builds it: ISO time to the ms, then the µs digits.
    const expected = (ms: number) => {
      const us = Math.round(ms * 1000);
      const iso = new Date(Math.floor(us / 1000)).toISOString();
      return `${iso.slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
    };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1e12, max: 4e12 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 8 }),
        (msList, usList) => {
          for (const [i, ms] of msList.entries()) {
            const t = ms + usList[i % usList.length]! / 1000;
            expect(rxpkTime(t)).toBe(expected(t));
            expect(rxpkTime(t + 0.999)).toBe(expected(t + 0.999)); // the same second, or the next
          }
        },
      ),
    );
  });
});
