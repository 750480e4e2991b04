import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dashedEui, id6Eui, parseEui } from '../../simulator/basic-station/eui.js';
import { LnsMessageError } from '../../simulator/basic-station/errors.js';
import {
  dataRateTable,
  phyPayloadOf,
  stationRegion,
  uplinkMessage,
  xtimeOf,
  xtimeSession,
  xtimeTmst,
} from '../../simulator/basic-station/frames.js';
import { parseDownstream, parseUpstream, type UpdfMsg } from '../../simulator/basic-station/messages.js';
import { EU868 } from '../../simulator/region/eu868.js';
import { US915 } from '../../simulator/region/us915.js';

interface Example {
  what: string;
  record: Record<string, unknown>;
  phyPayload: string;
  mic: string;
  tmst: number;
}
const examples = JSON.parse(
  readFileSync(new URL('./fixtures/lns-examples.json', import.meta.url), 'utf8'),
) as {
  uplinks: Example[];
  others: { what: string; record: Record<string, unknown>; parsed: unknown }[];
};

describe('the LNS protocol codec, against published examples', () => {
  it.each(examples.uplinks.map((e) => [e.what, e] as const))(
    'puts the frame of %s back together',
    (_w, e) => {
      const m = parseUpstream(JSON.stringify(e.record));
      if (m.msgtype !== 'jreq' && m.msgtype !== 'updf') throw new Error(m.msgtype);
      expect(Buffer.from(phyPayloadOf(m)).toString('hex').toUpperCase()).toBe(e.phyPayload + e.mic);
      expect(xtimeTmst(m.upinfo.xtime)).toBe(e.tmst);
    },
  );

  it.each(examples.others.map((e) => [e.what, e] as const))('reads %s', (_w, e) => {
    expect(parseUpstream(JSON.stringify(e.record))).toEqual(e.parsed);
  });

  it('splits a frame as a station does, and the split frame reads back to the same bytes', () => {
    const radio = { DR: 5, Freq: 868_100_000, upinfo: { rctx: 0, xtime: 5, gpstime: 0, rssi: -80, snr: 7 } };
    const phy = Buffer.from('40FFFFFF42B242FFFEFF42FEFF42FFFF0F', 'hex');
    const m = uplinkMessage(phy, radio) as UpdfMsg;
    expect(m).toMatchObject({ msgtype: 'updf', DevAddr: 0x42ffffff, FCtrl: 0xb2, FCnt: 0xff42, FPort: 0x42 });
    expect(m.MIC).toBe(268435266);
    expect(Buffer.from(phyPayloadOf(parseUpstream(JSON.stringify(m)) as UpdfMsg))).toEqual(phy);
  });

  it('round-trips any data uplink, Join-request or proprietary frame bit for bit', () => {
    const frame = fc.oneof(
      // Data uplinks: MHDR, DevAddr, FCtrl with FOptsLen, FCnt, FOpts, optional FPort and payload, MIC.
      fc
        .record({
          mType: fc.constantFrom(2, 4),
          head: fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fctrl: fc.integer({ min: 0, max: 15 }),
          fOpts: fc.uint8Array({ maxLength: 15 }),
          fCnt: fc.uint8Array({ minLength: 2, maxLength: 2 }),
          port: fc.option(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }))),
          mic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
        })
        .map((f) =>
          Uint8Array.from([
            f.mType << 5,
            ...f.head,
            (f.fctrl << 4) | f.fOpts.length,
            ...f.fCnt,
            ...f.fOpts,
            ...(f.port ? [f.port[0], ...f.port[1]] : []),
            ...f.mic,
          ]),
        ),
      fc.uint8Array({ minLength: 22, maxLength: 22 }).map((b) => Uint8Array.from([0, ...b])),
      fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => Uint8Array.from([0xe0, ...b])),
    );
    fc.assert(
      fc.property(frame, fc.integer({ min: 0, max: 2 ** 52 }), (phy, xtime) => {
        const radio = {
          DR: 0,
          Freq: 868_100_000,
          upinfo: { rctx: 0, xtime, gpstime: 0, rssi: -100, snr: -3.5 },
        };
        const back = parseUpstream(JSON.stringify(uplinkMessage(phy, radio)));
        if (back.msgtype !== 'jreq' && back.msgtype !== 'updf' && back.msgtype !== 'propdf')
          throw new Error();
        expect(Buffer.from(phyPayloadOf(back))).toEqual(Buffer.from(phy));
        expect(back.upinfo.xtime).toBe(xtime);
      }),
    );
  });

  it('reads an EUI in each form a station writes, and writes them back', () => {
    for (const v of [
      '00-11-22-33-44-55-66-77',
      '0011223344556677',
      '11:2233:4455:6677',
      0x0011223344556677 - 7 + 7,
    ])
      expect(parseEui(v, 'router')).toBe('0011223344556677');
    expect(parseEui('::1', 'router')).toBe('0000000000000001');
    expect(parseEui('1::', 'router')).toBe('0001000000000000');
    expect(id6Eui('0000000000000001')).toBe('::1');
    expect(id6Eui('AA55000000000009')).toBe('aa55::9');
    expect(dashedEui('AA55000000000009')).toBe('AA-55-00-00-00-00-00-09');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        const hex = Buffer.from(b).toString('hex').toUpperCase();
        expect(parseEui(id6Eui(hex), 'x')).toBe(hex);
        expect(parseEui(dashedEui(hex), 'x')).toBe(hex);
      }),
    );
  });

  it('keeps the session and the 32-bit timestamp apart in xtime', () => {
    const x = xtimeOf(3, 2 ** 40 + 123);
    expect(xtimeSession(x)).toBe(3);
    expect(xtimeTmst(x)).toBe((2 ** 40 + 123) % 2 ** 32);
  });

  it('names regions as Basics Station does', () => {
    expect(stationRegion(EU868)).toBe('EU863');
    expect(stationRegion(US915)).toBe('US902');
  });

  it('describes the region as router_config does: SF and bandwidth per data rate', () => {
    const drs = dataRateTable(EU868);
    expect(drs[0]).toEqual([12, 125, 0]);
    expect(drs[6]).toEqual([7, 250, 0]);
    expect(drs[7]).toEqual([0, 0, 0]); // FSK
    expect(drs[15]).toEqual([-1, 0, 0]);
  });
});

describe('hostile records', () => {
  it.each([
    ['not JSON', '{"msgtype":', 'message'],
    ['an array', '[1]', 'message'],
    ['an unknown type', '{"msgtype":"rmtsh"}', 'msgtype'],
    ['a bad EUI', '{"msgtype":"jreq","MHdr":0,"JoinEui":"xyz","DevEui":"1","DevNonce":1,"MIC":1}', 'JoinEui'],
    [
      'a MIC beyond 32 bits',
      '{"msgtype":"jreq","MHdr":0,"JoinEui":"::1","DevEui":"::1","DevNonce":1,"MIC":5e9}',
      'MIC',
    ],
    [
      'odd hex',
      '{"msgtype":"updf","MHdr":64,"DevAddr":1,"FCtrl":0,"FCnt":1,"FOpts":"F","FPort":1,"FRMPayload":"","MIC":1}',
      'FOpts',
    ],
    ['no upinfo', '{"msgtype":"propdf","FRMPayload":"E0","DR":0,"Freq":868100000}', 'upinfo'],
    ['a huge record', `{"msgtype":"propdf","x":"${'a'.repeat(70_000)}"}`, 'message'],
  ])('refuses %s, naming the field', (_w, text, field) => {
    try {
      parseUpstream(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LnsMessageError);
      expect((e as LnsMessageError).field).toBe(field);
      expect((e as LnsMessageError).code).toBe('LORAFLEET_LNS_MESSAGE');
    }
  });

  it('never throws anything but its own error on random text or random records', () => {
    const record = fc.dictionary(
      fc.constantFrom(
        'msgtype',
        'MHdr',
        'DevAddr',
        'FOpts',
        'upinfo',
        'DR',
        'Freq',
        'pdu',
        'diid',
        'DRs',
        'freq_range',
      ),
      fc.oneof(fc.constantFrom('updf', 'jreq', 'dnmsg', 'router_config', 'timesync'), fc.anything()),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          record.map((r) => JSON.stringify(r)),
        ),
        (text) => {
          for (const parse of [parseUpstream, parseDownstream])
            try {
              parse(text);
            } catch (e) {
              expect(e).toBeInstanceOf(LnsMessageError);
            }
        },
      ),
    );
  });
});
