import { describe, expect, it } from 'vitest';
import { StateStore } from '../../simulator/device/state-store.js';
import { decodePHYPayload } from '../../simulator/lorawan/index.js';
import { REGIONS } from '../../simulator/region/index.js';
import { abpConfig, DeviceHarness, otaaConfig } from '../helpers/device-harness.js';

function fCtrlOf(phy: Uint8Array) {
  const p = decodePHYPayload(phy);
  if (p.mType !== 'UnconfirmedDataUp' && p.mType !== 'ConfirmedDataUp') throw new Error('not an uplink');
  return p;
}

describe('confirmed uplinks', () => {
  it('are retransmitted with the same FCnt after ACK_TIMEOUT until the ACK comes', () => {
    const h = new DeviceHarness(abpConfig({ version: '1.0.3' }));
    h.abpSession();
    h.start();
    const first = h.sendUplink(1, Uint8Array.of(0xaa), true);
    expect(fCtrlOf(first.phyPayload).mType).toBe('ConfirmedDataUp');
    // No ACK: the windows pass, then a retransmission 1–3 s after RX2.
    const second = h.waitForTx('data');
    expect(second.fCnt).toBe(first.fCnt);
    expect(second.attempt).toBe(2);
    const rx2End = first.startUs + first.airtimeUs + 2e6;
    expect(second.startUs - rx2End).toBeGreaterThanOrEqual(1e6);
    expect(second.startUs - rx2End).toBeLessThanOrEqual(3e6 + 25_000);
    const third = h.waitForTx('data');
    expect(third.fCnt).toBe(first.fCnt);
    h.downlink(third, { ack: true });
    h.advance(5000);
    expect(h.eventsOf('ack')).toEqual([{ type: 'ack', fCnt: first.fCnt }]);
    expect(h.device.counters).toMatchObject({ retransmissions: 2, confirmedAcked: 1, confirmedUnacked: 0 });
    // Nothing more is sent for that frame.
    h.advance(30_000);
    expect(h.txs.filter((t) => t.fCnt === first.fCnt)).toHaveLength(3);
  });

  it('gives up after the allowed transmissions and reports the frame unacknowledged (1.0.3: 8 transmissions)', () => {
    const h = new DeviceHarness(abpConfig({ version: '1.0.3', enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const first = h.sendUplink(1, Uint8Array.of(1), true);
    h.advance(60_000);
    expect(h.txs.filter((t) => t.fCnt === first.fCnt)).toHaveLength(8);
    expect(h.eventsOf('nack')).toEqual([{ type: 'nack', fCnt: first.fCnt }]);
    expect(h.device.counters.confirmedUnacked).toBe(1);
  });

  it('1.0.4+: a confirmed uplink is sent NbTrans times at most', () => {
    const h = new DeviceHarness(abpConfig({ version: '1.0.4', nbTrans: 3, enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const first = h.sendUplink(1, Uint8Array.of(1), true);
    h.advance(60_000);
    expect(h.txs.filter((t) => t.fCnt === first.fCnt)).toHaveLength(3);
  });

  it('unconfirmed uplinks repeat NbTrans times unless a downlink arrives', () => {
    const h = new DeviceHarness(abpConfig({ nbTrans: 3, enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const a = h.sendUplink(1, Uint8Array.of(1));
    h.advance(20_000);
    expect(h.txs.filter((t) => t.fCnt === a.fCnt)).toHaveLength(3);
    const b = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(b, {});
    h.advance(20_000);
    expect(h.txs.filter((t) => t.fCnt === b.fCnt)).toHaveLength(1);
  });
});

describe('confirmed downlinks', () => {
  it('are acknowledged with the ACK bit in the next uplink (1.0)', () => {
    const h = new DeviceHarness(abpConfig());
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { confirmed: true, payload: Uint8Array.of(0x42) });
    h.advance(3000);
    const down = h.eventsOf('downlink')[0]!;
    expect(down).toMatchObject({ fPort: 1, confirmed: true, window: 'RX1' });
    expect(down.payload).toEqual(Uint8Array.of(0x42));
    const next = h.sendUplink(1, Uint8Array.of(2));
    expect(fCtrlOf(next.phyPayload).fCtrl.ack).toBe(true);
    expect(h.openUplink(next).micValid).toBe(true);
    const after = h.sendUplink(1, Uint8Array.of(3));
    expect(fCtrlOf(after.phyPayload).fCtrl.ack).toBe(false);
  });

  it('1.1: the ACKing uplink carries the downlink FCnt as ConfFCnt in its MIC', () => {
    const h = new DeviceHarness(otaaConfig({ version: '1.1' })).start();
    h.acceptJoin({ optNeg: true });
    h.advance(6000);
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, {
      confirmed: true,
      fPort: 3,
      payload: Uint8Array.of(7),
      mac: [{ name: 'RekeyConf', minorVersion: 1 }],
    });
    h.advance(3000);
    const next = h.sendUplink(1, Uint8Array.of(2));
    expect(fCtrlOf(next.phyPayload).fCtrl.ack).toBe(true);
    expect(h.openUplink(next).micValid).toBe(true); // the harness adds ConfFCnt for ACKing uplinks
  });
});

describe('downlinks the device must refuse', () => {
  it('drops a downlink with a bad MIC and one that replays an FCnt, and counts both', () => {
    const h = new DeviceHarness(abpConfig());
    const s = h.abpSession();
    h.start();
    let up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { payload: Uint8Array.of(1), tamper: true });
    h.advance(3000);
    expect(h.device.counters.badMic).toBe(1);
    up = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(up, { payload: Uint8Array.of(2), fCnt: 5 });
    h.advance(3000);
    up = h.sendUplink(1, Uint8Array.of(3));
    h.downlink(up, { payload: Uint8Array.of(3), fCnt: 5 });
    h.advance(3000);
    expect(h.device.counters.replays).toBe(1);
    expect(h.device.counters.downlinks).toBe(1);
    expect(h.device.violations).toMatchObject({ 'bad-mic': 1, 'fcnt-replay': 1 });
    expect(s.devAddr).toBe(0x26011f2a);
  });

  it('class A misses a downlink at the wrong time, frequency or data rate, and records it as a network violation', () => {
    const h = new DeviceHarness(abpConfig());
    h.abpSession();
    h.start();
    let up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { payload: Uint8Array.of(1), offsetUs: 60_000 }); // 60 ms late
    h.advance(4000);
    up = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(up, { payload: Uint8Array.of(2), frequency: 869_525_000 }); // RX2 frequency in RX1
    h.advance(4000);
    up = h.sendUplink(1, Uint8Array.of(3));
    h.downlink(up, { payload: Uint8Array.of(3), dataRate: 0 }); // wrong DR in RX1
    h.advance(4000);
    expect(h.device.counters.downlinks).toBe(0);
    expect(h.device.counters.downlinksMissed).toBe(3);
    expect(h.device.violations['downlink-outside-window']).toBe(3);
    expect(h.device.recentViolations[0]!.detail).toMatch(/nearest window RX1/);
  });

  it('US915: receives RX1 at DR12 (SF8BW500), a modulation uplink DR4 shares', () => {
    // The gateway reports only "SF8BW500"; matching it to the first DR with that modulation (DR4)
    // once made every RX1 downlink after a DR2 uplink look like a network violation.
    const h = new DeviceHarness(abpConfig({ region: REGIONS.US915, dataRate: 2 }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    expect(up.dataRate).toBe(2);
    h.downlink(up, { payload: Uint8Array.of(7) });
    h.advance(5000);
    expect(h.device.violations['downlink-outside-window']).toBeUndefined();
    expect(h.eventsOf('downlink')[0]).toMatchObject({ window: 'RX1' });
  });

  it('accepts a downlink in RX2 when RX1 carried nothing', () => {
    const h = new DeviceHarness(abpConfig());
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { window: 'RX2', payload: Uint8Array.of(9) });
    h.advance(5000);
    expect(h.eventsOf('downlink')[0]).toMatchObject({ window: 'RX2' });
  });
});

describe('class C', () => {
  it('hears a downlink on the RX2 channel at any time outside its own transmissions', () => {
    const h = new DeviceHarness(abpConfig({ deviceClass: 'C' }));
    h.abpSession();
    h.start();
    h.sendUplink(1, Uint8Array.of(1));
    h.advance(10_000);
    const phy = h.buildDownlink({ payload: Uint8Array.of(5) });
    h.deliverAtTime(h.sched.now() + 123_456, phy, 869_525_000, 0);
    h.advance(5000);
    expect(h.eventsOf('downlink')[0]).toMatchObject({ window: 'RXC' });
    // A class A device would have missed it.
    const a = new DeviceHarness(abpConfig());
    a.abpSession();
    a.start();
    a.sendUplink(1, Uint8Array.of(1));
    a.advance(10_000);
    a.deliverAtTime(a.sched.now() + 123_456, a.buildDownlink({ payload: Uint8Array.of(5) }), 869_525_000, 0);
    a.advance(5000);
    expect(a.eventsOf('downlink')).toHaveLength(0);
    expect(a.device.counters.downlinksMissed).toBe(1);
  });

  it('answers a confirmed class C downlink with an uplink soon', () => {
    const h = new DeviceHarness(abpConfig({ deviceClass: 'C' }));
    h.abpSession();
    h.start();
    h.sendUplink(1, Uint8Array.of(1));
    h.advance(20_000);
    const before = h.txs.length;
    h.deliverAtTime(
      h.sched.now() + 1000,
      h.buildDownlink({ confirmed: true, payload: Uint8Array.of(1) }),
      869_525_000,
      0,
    );
    const ackUp = h.waitForTx('data', 30_000);
    expect(h.txs.length).toBe(before + 1);
    expect(fCtrlOf(ackUp.phyPayload).fCtrl.ack).toBe(true);
  });
});

describe('FPending', () => {
  it('makes the device send an uplink soon, without application data', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { payload: Uint8Array.of(1), fPending: true });
    const next = h.waitForTx('data', 10_000);
    expect(next.fCnt).toBe(up.fCnt! + 1);
    expect(fCtrlOf(next.phyPayload).fPort).toBeNull();
  });
});

describe('frame counters', () => {
  it('roll over 65 536 on air while the MIC uses all 32 bits', () => {
    const store = StateStore.memory();
    store.update('abp-1', {
      session: {
        devAddr: 0x26011f2a,
        keys: {
          fNwkSIntKey: '11'.repeat(16),
          sNwkSIntKey: '11'.repeat(16),
          nwkSEncKey: '11'.repeat(16),
          appSKey: '22'.repeat(16),
        },
        version: '1.0',
        fCntUpBound: 65_534,
        rx1Delay: 1,
        rx1DrOffset: 0,
        rx2DataRate: 0,
        rx2Frequency: 869_525_000,
      },
    });
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }), store);
    h.abpSession();
    h.start();
    for (let i = 0; i < 4; i++) {
      const up = h.sendUplink(1, Uint8Array.of(i));
      expect(up.fCnt).toBe(65_534 + i);
      expect(fCtrlOf(up.phyPayload).fCnt).toBe((65_534 + i) % 65_536);
      expect(h.loraPacketVerifies(up)).toBe(true); // lora-packet is told the upper 16 bits
      expect(h.openUplink(up).frmPayload).toEqual(Uint8Array.of(i));
      h.advance(3000);
    }
  });

  it('ABP continues its FCnt across a restart, or starts at 0 when the network resets it', () => {
    const store = StateStore.memory();
    const h1 = new DeviceHarness(abpConfig({ enforceDutyCycle: false }), store);
    h1.abpSession();
    h1.start();
    for (let i = 0; i < 3; i++) {
      h1.sendUplink(1, Uint8Array.of(i));
      h1.advance(3000);
    }
    const lastBefore = h1.last('data').fCnt!;
    h1.device.stop();
    const h2 = new DeviceHarness(abpConfig({ enforceDutyCycle: false }), store);
    h2.abpSession();
    h2.start();
    expect(h2.sendUplink(1, Uint8Array.of(9)).fCnt).toBeGreaterThan(lastBefore);
    const h3 = new DeviceHarness(abpConfig({ enforceDutyCycle: false, resetsFCnt: true }), store);
    h3.abpSession();
    h3.start();
    expect(h3.sendUplink(1, Uint8Array.of(9)).fCnt).toBe(0);
  });
});

describe('ADR', () => {
  it('sets ADRACKReq after ADR_ACK_LIMIT uplinks, then raises power and lowers the data rate every ADR_ACK_DELAY', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false, dataRate: 5, txPower: 3 }));
    h.abpSession();
    h.start();
    const seen: { n: number; adrAckReq: boolean; dr: number; power: number }[] = [];
    for (let n = 1; n <= 64 + 32 * 4; n++) {
      const up = h.sendUplink(1, Uint8Array.of(1));
      seen.push({
        n,
        adrAckReq: fCtrlOf(up.phyPayload).fCtrl.adrAckReq,
        dr: up.dataRate,
        power: h.device.mac.txPower,
      });
      h.advance(2500);
    }
    expect(seen.filter((s) => s.adrAckReq)[0]!.n).toBe(64);
    expect(seen.find((s) => s.n === 63)!.adrAckReq).toBe(false);
    expect(seen.find((s) => s.n === 95)!).toMatchObject({ dr: 5, power: 3 });
    expect(seen.find((s) => s.n === 96)!).toMatchObject({ dr: 5, power: 0 }); // 64 + 32: power first
    expect(seen.find((s) => s.n === 128)!).toMatchObject({ dr: 4 }); // then one DR down every 32
    expect(seen.find((s) => s.n === 160)!).toMatchObject({ dr: 3 });
    // Any downlink resets the count.
    const up = h.sendUplink(1, Uint8Array.of(1));
    expect(fCtrlOf(up.phyPayload).fCtrl.adrAckReq).toBe(true);
    h.downlink(up, {});
    h.advance(3000);
    expect(h.device.mac.adrAckCnt).toBe(0);
    expect(fCtrlOf(h.sendUplink(1, Uint8Array.of(1)).phyPayload).fCtrl.adrAckReq).toBe(false);
  });
});

describe('EU868 duty cycle', () => {
  it('keeps a device that wants to send constantly under 1 % per sub-band over an hour', () => {
    const h = new DeviceHarness(abpConfig({ dataRate: 0 }));
    h.abpSession();
    h.start();
    for (let i = 0; i < 200; i++) h.device.send(1, new Uint8Array(40));
    h.advance(3600 * 1000);
    const ups = h.txs.filter((t) => t.startUs < 3600e6);
    const airtime = ups.reduce((a, t) => a + t.airtimeUs, 0);
    // The three default channels share the 868.0–868.6 MHz 1 % sub-band: ≤ 36 s of 3600 s.
    expect(airtime).toBeLessThanOrEqual(36e6 + ups[0]!.airtimeUs);
    expect(airtime).toBeGreaterThan(30e6); // and it does use what it may
    expect(h.device.counters.dutyCycleWaits).toBeGreaterThan(0);
  });

  it('does not count duty cycle in US915', () => {
    const h = new DeviceHarness(abpConfig({ region: REGIONS.US915, dataRate: 3 }));
    h.abpSession();
    h.start();
    const a = h.sendUplink(1, Uint8Array.of(1));
    h.advance(2500);
    const b = h.sendUplink(1, Uint8Array.of(1));
    expect(b.startUs - a.startUs).toBeLessThan(3e6);
  });
});
