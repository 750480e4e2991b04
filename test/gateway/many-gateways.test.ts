import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewaySocketShortfall, openFileLimit } from '../../simulator/gateway/fd-limit.js';
import { VirtualGateway } from '../../simulator/gateway/gateway.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { io, ScriptedNetwork } from '../helpers/udp-network.js';

describe('many gateways in one process', () => {
  it('runs 1000 gateways, each on its own socket, all acknowledged by the network', async () => {
    const net = new ScriptedNetwork();
    const port = await net.start();
    const sched = new VirtualScheduler();
    const rng = new Rng('fleet');
    const gws = Array.from({ length: 1000 }, (_, i) => {
      const eui = Buffer.alloc(8);
      eui.writeUInt32BE(0xaa555a00, 0);
      eui.writeUInt32BE(i, 4);
      return new VirtualGateway(
        { eui, server: { host: '127.0.0.1', port }, txFrequencyRange: [863e6, 870e6] },
        sched,
        rng,
      );
    });
    // Gateways boot at different moments; 1000 PULL_DATA in the same millisecond would overflow any
    // receive buffer (a real network would drop them too and see them again at the next keepalive).
    for (let i = 0; i < gws.length; i += 100) {
      await Promise.all(gws.slice(i, i + 100).map((g) => g.start()));
      await io(10);
    }
    for (let i = 0; i < 100 && gws.some((g) => g.counters.pullAck === 0); i++) await io(20);
    expect(new Set(gws.map((g) => g.address()!.port)).size).toBe(1000);
    expect(gws.every((g) => g.counters.pullAck === 1)).toBe(true);
    expect(
      new Set(net.received.filter((r) => r.packet.type === 'PULL_DATA').map((r) => r.from.port)).size,
    ).toBe(1000);
    await Promise.all(gws.map((g) => g.stop()));
    await net.stop();
  }, 60_000);

  it('keeps sending and counts missing acks when the network is down', async () => {
    const net = new ScriptedNetwork();
    const port = await net.start();
    await net.stop(); // nothing listens on that port any more
    const sched = new VirtualScheduler();
    const gw = new VirtualGateway(
      {
        eui: Buffer.alloc(8, 1),
        server: { host: '127.0.0.1', port },
        txFrequencyRange: [863e6, 870e6],
        statIntervalUs: 0,
      },
      sched,
      new Rng(2),
    );
    await gw.start();
    for (let t = 0; t < 6; t++) {
      gw.receive({
        phyPayload: new Uint8Array(13),
        frequency: 868_100_000,
        modulation: 'LORA',
        datr: 'SF7BW125',
        rssi: -90,
        snr: 5,
      });
      sched.advanceBy(10_000);
      await io(5);
      sched.advanceBy(5_000_000);
    }
    await io(5); // a timeout is decided once the socket has been read
    expect(gw.counters.pushData).toBe(6);
    expect(gw.counters.pushAckMissing).toBe(6);
    expect(gw.counters.pullAckMissing).toBeGreaterThanOrEqual(5);
    await gw.stop();
  });

  it('reads the open-file limit and says how to raise it when gateways would not fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-'));
    const f = join(dir, 'limits');
    writeFileSync(
      f,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n',
    );
    expect(openFileLimit(f)).toBe(1024);
    expect(gatewaySocketShortfall(500, 1024)).toBeUndefined();
    expect(gatewaySocketShortfall(5000, 1024)).toMatch(/5000 gateways need 5064 open files .*ulimit -n 5064/);
    expect(openFileLimit(join(dir, 'missing'))).toBeUndefined();
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });
});
