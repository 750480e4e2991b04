import { VirtualDevice } from '../../simulator/device/device.js';
import { StateStore } from '../../simulator/device/state-store.js';
import type { DeviceConfig, DeviceEvent, DeviceTransmission } from '../../simulator/device/types.js';
import { VirtualGateway } from '../../simulator/gateway/gateway.js';
import { ListenerIndex } from '../../simulator/radio/listeners.js';
import { RadioMedium } from '../../simulator/radio/medium.js';
import { DEFAULT_PATH_LOSS } from '../../simulator/radio/propagation.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

/**
 * Devices, radio and gateways wired together in virtual time, talking to a network over real UDP on
 * loopback. `pump` advances virtual time in small steps and lets socket I/O happen between them, so
 * a network answering in wall time keeps up with devices living in virtual time.
 */
export class FleetHarness {
  readonly sched = new VirtualScheduler();
  readonly rng = new Rng('fleet');
  readonly medium = new RadioMedium({
    pathLoss: { ...DEFAULT_PATH_LOSS, shadowingSigma: 0 },
    seed: 'fleet',
    rng: this.rng,
  });
  readonly gateways = new Map<string, VirtualGateway>();
  readonly devices = new Map<string, VirtualDevice>();
  readonly uplinks: DeviceTransmission[] = [];
  readonly deviceEvents: (DeviceEvent & { deviceId: string })[] = [];
  /** With `listeners`, downlinks reach only devices that may be listening (as the run engine does). */
  readonly listeners: ListenerIndex | undefined;

  constructor(o: { listeners?: boolean; keepTraffic?: boolean } = {}) {
    this.listeners = o.listeners ? new ListenerIndex() : undefined;
    this.keepTraffic = o.keepTraffic ?? true;
  }

  private readonly keepTraffic: boolean;

  async addGateway(id: string, eui: string, x: number, udpPort: number): Promise<VirtualGateway> {
    this.medium.addGateway({ id, position: { x, y: 0 }, antennaGain: 3, noiseFigure: 6 });
    const gw = new VirtualGateway(
      {
        eui: Buffer.from(eui, 'hex'),
        server: { host: '127.0.0.1', port: udpPort },
        txFrequencyRange: [863e6, 870e6],
        antennaGain: 3,
      },
      this.sched,
      this.rng.fork(id),
      {
        onTransmit: (tx) => {
          const m = /^SF(\d+)BW(\d+)$/.exec(String(tx.datr))!;
          for (const rx of this.medium.downlink(
            {
              from: id,
              frequency: tx.frequency,
              modulation: 'LORA',
              spreadingFactor: Number(m[1]),
              bandwidth: Number(m[2]) * 1000,
              eirp: tx.eirp,
              start: tx.start,
              airtime: tx.airtime,
            },
            this.listeners?.candidates(tx.start, tx.phyPayload),
          )) {
            this.devices.get(rx.to)?.hear({
              phyPayload: tx.phyPayload,
              frequency: tx.frequency,
              datr: tx.datr,
              start: tx.start,
              airtime: tx.airtime,
              rssi: rx.rssi,
              snr: rx.snr,
            });
          }
        },
      },
    );
    await gw.start();
    this.gateways.set(id, gw);
    return gw;
  }

  addDevice(
    config: DeviceConfig,
    x: number,
    store = StateStore.memory(),
    seed: number | string = config.id,
  ): VirtualDevice {
    this.medium.addDevice({ id: config.id, position: { x, y: 100 }, antennaGain: 0, noiseFigure: 6 });
    const dev = new VirtualDevice(
      config,
      this.sched,
      {
        transmit: (tx) => {
          if (this.keepTraffic) this.uplinks.push(tx);
          if (tx.rxWindows) this.listeners?.windows(tx.deviceId, tx.rxWindows, this.sched.now());
          const receptions = this.medium.uplink({
            from: tx.deviceId,
            frequency: tx.frequency,
            modulation: tx.modulation,
            spreadingFactor: tx.spreadingFactor,
            bandwidth: tx.bandwidth,
            eirp: tx.eirp,
            start: tx.start,
            airtime: tx.airtime,
          });
          this.sched.at(tx.start + tx.airtime, () => {
            for (const rx of receptions) {
              if (rx.lost) continue;
              this.gateways.get(rx.to)?.receive({
                phyPayload: tx.phyPayload,
                frequency: tx.frequency,
                modulation: tx.modulation,
                datr: tx.datr,
                codr: tx.codr,
                rssi: rx.rssi,
                snr: rx.snr,
                channel: tx.channel % 8,
              });
            }
          });
        },
      },
      new Rng(seed),
      store,
      {
        onEvent: (e) => {
          if (this.keepTraffic) this.deviceEvents.push({ ...e, deviceId: config.id });
          if (e.type === 'joined') this.listeners?.address(e.devAddr, config.id);
        },
      },
    );
    this.devices.set(config.id, dev);
    return dev;
  }

  /** Advances virtual time by `ms`, 20 ms at a time, letting real I/O through after each step. */
  async pump(ms: number): Promise<void> {
    const end = this.sched.now() + ms * 1000;
    while (this.sched.now() < end) {
      this.sched.advanceTo(Math.min(end, this.sched.now() + 20_000));
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Pumps until `cond` holds (or fails after `maxMs` of virtual time). */
  async until(cond: () => boolean, maxMs = 120_000): Promise<void> {
    for (let t = 0; t < maxMs && !cond(); t += 100) await this.pump(100);
    if (!cond()) throw new Error(`condition not met within ${maxMs} ms of virtual time`);
  }

  async stop(): Promise<void> {
    for (const d of this.devices.values()) d.stop();
    await Promise.all([...this.gateways.values()].map((g) => g.stop()));
  }
}
