import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../simulator/device/state-store.js';
import { Journal } from '../../simulator/tts/journal.js';
import { decodePHYPayload } from '../../simulator/lorawan/index.js';
import { abpConfig, DeviceHarness, otaaConfig } from '../helpers/device-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = () => join(mkdtempSync(join(tmpdir(), 'lorafleet-state-')), 'fleet.state');

function devNonces(h: DeviceHarness): number[] {
  return h.txs.flatMap((t) => {
    const p = decodePHYPayload(t.phyPayload);
    return p.mType === 'JoinRequest' ? [p.devNonce] : [];
  });
}

/** Runs the device child until it has printed `lines` frames, then kills it with SIGKILL. */
async function runAndKill(file: string, mode: string, seed: number, lines: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/device-child.ts', file, mode, String(seed)],
    { cwd: root },
  );
  const out: string[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child printed ${out.length} lines`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      out.push(...parts);
      if (out.length >= lines) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, sig) => {
      if (sig !== 'SIGKILL') reject(new Error(`child exited early (${code ?? sig})`));
    });
  });
  await new Promise((r) => child.once('exit', r));
  return out;
}

// TTS keeps an ABP device's MAC state across the device's reboot (tts-api.md Part 4): a device that
// forgot its NewChannelReq channels refuses every LinkADRReq that uses them (issue 12 point 6).
describe('ABP MAC state across a restart', () => {
  const accept = (store: StateStore, restoreMac?: boolean) => {
    const h = new DeviceHarness(
      abpConfig({ enforceDutyCycle: false, ...(restoreMac === undefined ? {} : { restoreMac }) }),
      store,
    );
    h.abpSession();
    h.start();
    return h;
  };

  it('comes back with the channels, RX settings and ADR state it accepted; forgets them when told to', () => {
    const file = tmp();
    const store = StateStore.open(file);
    const h = accept(store);
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, {
      fPort: 0,
      mac: [
        ...[3, 4, 5, 6, 7].map((chIndex) => ({
          name: 'NewChannelReq' as const,
          chIndex,
          frequencyHz: 867_100_000 + (chIndex - 3) * 200_000,
          maxDr: 5,
          minDr: 0,
        })),
        { name: 'RXParamSetupReq' as const, rx1DrOffset: 2, rx2DataRate: 3, frequencyHz: 869_525_000 },
      ],
    });
    h.advance(3000);
    // LinkADRReq using the new channels: DR3, TXPower 2, NbTrans 2, channels 0–7 enabled.
    const up2 = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(up2, {
      mac: [{ name: 'LinkADRReq', dataRate: 3, txPower: 2, chMask: 0xff, chMaskCntl: 0, nbTrans: 2 }],
    });
    h.advance(3000);
    const before = h.device.mac;
    expect(before.channels.enabled.filter(Boolean)).toHaveLength(8);
    expect([before.dataRate, before.txPower, before.nbTrans, before.rx1DrOffset]).toEqual([3, 2, 2, 2]);
    h.device.stop();
    store.close();

    // A reboot: a new process opens the same state file.
    const after = accept(StateStore.open(file)).device.mac;
    expect(after.channels).toEqual(before.channels);
    expect([after.dataRate, after.txPower, after.nbTrans, after.rx1DrOffset, after.rx2DataRate]).toEqual([
      3, 2, 2, 2, 3,
    ]);

    // A device registered anew: the network starts over, and so does the device.
    const fresh = accept(StateStore.open(file), false).device.mac;
    expect(fresh.channels.channels.filter(Boolean)).toHaveLength(3);
    expect(fresh.dataRate).not.toBe(3);
  });
});

// A torn last line must not swallow the next record (issue 13 item 4): it is cut off at open.
describe('torn last lines', () => {
  it('a state file: the next record survives, and the file opens again', () => {
    const file = tmp();
    const s = StateStore.open(file);
    s.update('a', { devNonceBound: 16 });
    s.close();
    appendFileSync(file, '{"id":"a","set":{"devNonceBo');
    const torn = StateStore.open(file);
    expect(torn.repaired).toMatch(/the last line was torn \(\d+ bytes/);
    torn.update('a', { joinNonce: 9 });
    torn.close();
    const again = StateStore.open(file); // on old code: "line 2: not JSON; the file is damaged"
    expect(again.repaired).toBeUndefined();
    expect(again.get('a')).toEqual({ devNonceBound: 16, joinNonce: 9 });
    again.close();
  });

  it('a journal: the step recorded after the torn line is kept', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lorafleet-journal-')), 'x.journal');
    const j = new Journal(file);
    j.record({ t: 'device', id: 'd1', step: 'is' });
    j.close();
    appendFileSync(file, '{"t":"device","id":"d1","st');
    const torn = new Journal(file);
    expect(torn.repaired).toMatch(/torn/);
    torn.record({ t: 'device', id: 'd1', step: 'ns' });
    torn.close();
    const again = new Journal(file);
    expect(again.done('d1', 'is') && again.done('d1', 'ns')).toBe(true);
    again.close();
  });
});

describe('state store', () => {
  it('replays changes, tolerates a line torn by a crash, and names a damaged line', () => {
    const file = tmp();
    const s = StateStore.open(file);
    s.update('a', { devNonceBound: 16 });
    s.update('a', { joinNonce: 7 });
    s.update('b', { usedDevNonces: [1, 2] });
    s.close();
    appendFileSync(file, '{"id":"a","set":{"devNonceBo');
    const again = StateStore.open(file);
    expect(again.get('a')).toEqual({ devNonceBound: 16, joinNonce: 7 });
    expect(again.get('b')).toEqual({ usedDevNonces: [1, 2] });
    again.close();
    const bad = tmp();
    writeFileSync(bad, '{"id":"a","set":{}}\nnot json\n{"id":"a","set":{}}\n');
    expect(() => StateStore.open(bad)).toThrowError(/fleet\.state: line 2: not JSON/);
  });

  it('is readable by its owner only, and compacts to one line per device', () => {
    const file = tmp();
    const s = StateStore.open(file);
    for (let i = 0; i < 200; i++) s.update('dev', { devNonceBound: i });
    s.compact();
    s.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(StateStore.open(file).get('dev')).toEqual({ devNonceBound: 199 });
  });

  it("takes nonce bounds from another shard layout's file, only upwards, without its sessions", () => {
    const mine = tmp();
    const other = tmp();
    const session = {
      devAddr: 1,
      keys: { fNwkSIntKey: '00', sNwkSIntKey: '00', nwkSEncKey: '00', appSKey: '00' },
      version: '1.0' as const,
      fCntUpBound: 9,
      rx1Delay: 1,
      rx1DrOffset: 0,
      rx2DataRate: 0,
      rx2Frequency: 869_525_000,
    };
    const o = StateStore.open(other);
    o.update('moved', { devNonceBound: 40, joinNonce: 3, usedDevNonces: [5, 6], session });
    o.update('stayed', { devNonceBound: 2 });
    o.update('elsewhere', { rjCount1Bound: 4 });
    o.close();
    const m = StateStore.open(mine);
    m.update('moved', { devNonceBound: 10, joinNonce: 8, usedDevNonces: [6, 7] });
    m.update('stayed', { devNonceBound: 30 });
    m.raiseFrom(other);
    expect(m.get('moved')).toEqual({ devNonceBound: 40, joinNonce: 8, usedDevNonces: [5, 6, 7] });
    expect(m.get('stayed')).toEqual({ devNonceBound: 30 });
    expect(m.get('elsewhere')).toEqual({ rjCount1Bound: 4 });
    m.close();
    // Read, never written: the other file is as it was, and this one holds only its own lines.
    expect(readFileSync(other, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readFileSync(mine, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('nothing is lost across restarts', () => {
  it('1.0.4: a restarted device continues its DevNonce counter above every one it may have used', () => {
    const file = tmp();
    const h1 = new DeviceHarness(
      otaaConfig({ version: '1.0.4', joinRetryDelayMs: [1000, 1000] }),
      StateStore.open(file),
    ).start();
    h1.advance(40_000);
    const before = devNonces(h1);
    expect(before.length).toBeGreaterThan(2);
    h1.device.stop();
    h1.store.close();
    const h2 = new DeviceHarness(otaaConfig({ version: '1.0.4' }), StateStore.open(file)).start();
    expect(devNonces(h2)[0]).toBeGreaterThan(Math.max(...before));
  });

  it('1.0.3: a restarted device never repeats a recent random DevNonce, even with the same random seed', () => {
    const file = tmp();
    const h1 = new DeviceHarness(
      otaaConfig({ joinRetryDelayMs: [1000, 1000] }),
      StateStore.open(file),
      42,
    ).start();
    h1.advance(40_000);
    const before = devNonces(h1);
    h1.store.close();
    const h2 = new DeviceHarness(
      otaaConfig({ joinRetryDelayMs: [1000, 1000] }),
      StateStore.open(file),
      42,
    ).start();
    h2.advance(40_000);
    for (const n of devNonces(h2)) expect(before).not.toContain(n);
    // Without the store, the same seed would have produced the same nonces.
    const fresh = new DeviceHarness(
      otaaConfig({ joinRetryDelayMs: [1000, 1000] }),
      StateStore.memory(),
      42,
    ).start();
    fresh.advance(40_000);
    expect(devNonces(fresh)[0]).toBe(before[0]);
  });

  it('an OTAA session survives a restart: same DevAddr and keys, FCntUp above what was sent', () => {
    const file = tmp();
    const h1 = new DeviceHarness(otaaConfig({ enforceDutyCycle: false }), StateStore.open(file)).start();
    const net = h1.acceptJoin();
    h1.advance(6000);
    const sent = [h1.sendUplink(1, Uint8Array.of(1)).fCnt!];
    h1.advance(3000);
    sent.push(h1.sendUplink(1, Uint8Array.of(2)).fCnt!);
    h1.store.close();
    const h2 = new DeviceHarness(otaaConfig({ enforceDutyCycle: false }), StateStore.open(file));
    h2.session = net;
    h2.start();
    expect(h2.device.joined).toBe(true);
    expect(h2.device.devAddr).toBe(net.devAddr);
    const up = h2.sendUplink(1, Uint8Array.of(3));
    expect(up.fCnt).toBeGreaterThan(Math.max(...sent));
    expect(h2.openUplink(up).micValid).toBe(true);
  });

  it('an ABP device keeps its counters and MAC state, not its keys; made OTAA, it joins anew', () => {
    const file = tmp();
    // First OTAA: a joined session, keys and all, in the store.
    const h0 = new DeviceHarness(
      otaaConfig({ id: 'same', enforceDutyCycle: false }),
      StateStore.open(file),
    ).start();
    h0.acceptJoin();
    h0.advance(6000);
    expect(StateStore.open(file).get('same')?.session?.keys).toBeDefined();
    h0.store.close();
    // Then the same device as ABP: its counters are kept, the joined session's keys forgotten.
    const h1 = new DeviceHarness(abpConfig({ id: 'same', enforceDutyCycle: false }), StateStore.open(file));
    h1.abpSession();
    h1.start();
    const sent = [h1.sendUplink(1, Uint8Array.of(1)).fCnt!];
    h1.advance(3000);
    sent.push(h1.sendUplink(1, Uint8Array.of(2)).fCnt!);
    h1.store.close();
    const saved = StateStore.open(file).get('same')!.session!;
    expect(saved.fCntUpBound).toBeGreaterThan(Math.max(...sent));
    expect(saved.mac).toBeDefined();
    expect([saved.keys, saved.devAddr, saved.version]).toEqual([undefined, undefined, undefined]);
    expect(readFileSync(file, 'utf8')).not.toContain('2'.repeat(32)); // its AppSKey
    // ABP again: FCntUp continues above what was sent.
    const h2 = new DeviceHarness(abpConfig({ id: 'same', enforceDutyCycle: false }), StateStore.open(file));
    h2.abpSession();
    h2.start();
    expect(h2.sendUplink(1, Uint8Array.of(3)).fCnt!).toBeGreaterThan(Math.max(...sent));
    h2.store.close();
    // OTAA once more: nothing to resume, so it joins.
    const h3 = new DeviceHarness(
      otaaConfig({ id: 'same', enforceDutyCycle: false }),
      StateStore.open(file),
    ).start();
    expect(h3.device.joined).toBe(false);
    expect(devNonces(h3)).toHaveLength(1);
  });

  it('kill -9 in the middle of joining (counter DevNonce): the next start uses a greater DevNonce', async () => {
    const file = tmp();
    const lines = await runAndKill(file, 'otaa-1.0.4', 1, 5);
    const used = lines.filter((l) => l.startsWith('JOIN ')).map((l) => Number(l.split(' ')[1]));
    expect(used.length).toBeGreaterThanOrEqual(5);
    const h = new DeviceHarness(otaaConfig({ version: '1.0.4' }), StateStore.open(file)).start();
    expect(devNonces(h)[0]).toBeGreaterThan(Math.max(...used));
  }, 30_000);

  it('kill -9 in the middle of joining (random DevNonce): no DevNonce is reused after the restart', async () => {
    const file = tmp();
    const lines = await runAndKill(file, 'otaa-1.0.3', 7, 5);
    const used = lines.filter((l) => l.startsWith('JOIN ')).map((l) => Number(l.split(' ')[1]));
    const h = new DeviceHarness(
      otaaConfig({ joinRetryDelayMs: [1000, 1000] }),
      StateStore.open(file),
      7,
    ).start();
    h.advance(30_000);
    for (const n of devNonces(h)) expect(used).not.toContain(n);
  }, 30_000);

  it('kill -9 while sending ABP uplinks: FCntUp never goes backwards', async () => {
    const file = tmp();
    const lines = await runAndKill(file, 'abp', 3, 20);
    const sent = lines.filter((l) => l.startsWith('UP ')).map((l) => Number(l.split(' ')[1]));
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }), StateStore.open(file));
    h.abpSession();
    h.start();
    expect(h.sendUplink(1, Uint8Array.of(1)).fCnt).toBeGreaterThan(Math.max(...sent));
  }, 30_000);
});
