import { describe, expect, it } from 'vitest';
import { deriveJSEncKey, deriveJSIntKey, deriveSessionKeys11 } from '../../crypto/index.js';
import { buildJoinAccept, decodePHYPayload, rejoinRequestMicValid } from '../../simulator/lorawan/index.js';
import { DeviceHarness, otaaConfig, otaaOf } from '../helpers/device-harness.js';

function joined11() {
  const h = new DeviceHarness(otaaConfig({ version: '1.1', enforceDutyCycle: false })).start();
  const net = h.acceptJoin({ optNeg: true, netId: 0x000013 });
  h.advance(6000);
  const up = h.sendUplink(1, Uint8Array.of(1));
  h.downlink(up, { mac: [{ name: 'RekeyConf', minorVersion: 1 }] });
  h.advance(3000);
  return { h, net };
}

describe('LoRaWAN 1.1 rejoins', () => {
  it('type 0: MIC with SNwkSIntKey; the accept (JSEncKey, JSIntKey MIC over RJcount0) gives a new session', () => {
    const { h, net } = joined11();
    h.device.rejoin(0);
    const rj = h.last('rejoin');
    const p = decodePHYPayload(rj.phyPayload);
    expect(p.mType === 'RejoinRequest' && p.rejoinType).toBe(0);
    if (p.mType !== 'RejoinRequest' || p.rejoinType === 1) return;
    expect(p.netId).toBe(0x000013);
    expect(rejoinRequestMicValid(rj.phyPayload, net.keys.sNwkSIntKey)).toBe(true);
    const c = otaaOf(h.config);
    const jsIntKey = deriveJSIntKey(c.nwkKey, c.devEui);
    const jsEncKey = deriveJSEncKey(c.nwkKey, c.devEui);
    const payload = {
      joinNonce: 0x40,
      netId: 0x13 as never,
      devAddr: 0x26000abc as never,
      dlSettings: { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 },
      rxDelay: 1,
    };
    const accept = buildJoinAccept(payload, jsEncKey, jsIntKey, {
      joinReqType: 'RejoinRequest0',
      joinEui: c.joinEui,
      devNonce: p.rjCount,
    });
    h.deliver(rj, 'RX1', accept);
    h.advance(7000);
    expect(h.device.devAddr).toBe(0x26000abc);
    expect(h.device.sessionKeys).toEqual(deriveSessionKeys11(c.nwkKey, c.appKey, 0x40, c.joinEui, p.rjCount));
    expect(h.device.sessionKeys).not.toEqual(net.keys);
  });

  it('type 1: JoinEUI and RJcount1, MIC with JSIntKey; RJcount1 only grows', () => {
    const { h } = joined11();
    h.device.rejoin(1);
    const first = h.last('rejoin');
    h.advance(8000);
    h.device.rejoin(1);
    const second = h.last('rejoin');
    const c = otaaOf(h.config);
    const jsIntKey = deriveJSIntKey(c.nwkKey, c.devEui);
    for (const rj of [first, second]) expect(rejoinRequestMicValid(rj.phyPayload, jsIntKey)).toBe(true);
    const counts = [first, second].map((rj) => {
      const p = decodePHYPayload(rj.phyPayload);
      return p.mType === 'RejoinRequest' && p.rejoinType === 1 ? p.rjCount : -1;
    });
    expect(counts).toEqual([0, 1]);
  });

  it('periodic type 0 rejoins every 2^(MaxCountN+4) uplinks once RejoinParamSetupReq configures them', () => {
    const { h } = joined11();
    const up = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(up, { mac: [{ name: 'RejoinParamSetupReq', maxTimeN: 15, maxCountN: 0 }] });
    h.advance(3000);
    for (let i = 0; i < 40; i++) {
      h.device.send(1, Uint8Array.of(i));
      h.advance(8000);
    }
    const rejoins = h.txs.filter((t) => t.kind === 'rejoin');
    expect(rejoins.length).toBeGreaterThanOrEqual(2);
    // Between two rejoins there are 16 data uplinks (2^(0+4)).
    const idx = h.txs.indexOf(rejoins[0]!);
    const idx2 = h.txs.indexOf(rejoins[1]!);
    expect(h.txs.slice(idx + 1, idx2).filter((t) => t.kind === 'data' && t.attempt === 1)).toHaveLength(16);
  });

  it('a 1.1 device refuses a Join-accept whose JoinNonce is not above the last one', () => {
    const h = new DeviceHarness(
      otaaConfig({ version: '1.1', enforceDutyCycle: false, joinRetryDelayMs: [1000, 1000] }),
    ).start();
    h.acceptJoin({ optNeg: true, joinNonce: 100 });
    h.advance(7000);
    expect(h.device.joined).toBe(true);
    // Rejoin from scratch: a new join whose accept replays JoinNonce 100.
    h.device.stop();
    const h2 = new DeviceHarness(h.config, h.store);
    h2.store.clearSession(h.config.id);
    h2.start();
    h2.acceptJoin({ optNeg: true, joinNonce: 100 });
    h2.advance(7000);
    expect(h2.device.joined).toBe(false);
    expect(h2.device.violations['join-nonce-replay']).toBe(1);
    h2.advance(3000);
    h2.waitForTx('join');
    h2.acceptJoin({ optNeg: true, joinNonce: 101 });
    h2.advance(7000);
    expect(h2.device.joined).toBe(true);
  });
});
