import { VirtualDevice } from '../../simulator/device/device.js';
import { StateStore } from '../../simulator/device/state-store.js';
import type { DeviceConfig, DeviceEvent, DeviceTransmission } from '../../simulator/device/types.js';
import type { VirtualGateway } from '../../simulator/gateway/gateway.js';
import { Air } from '../../simulator/engine/air.js';
import { Pump } from '../../simulator/engine/pump.js';
import { ListenerIndex } from '../../simulator/radio/listeners.js';
import { RadioMedium } from '../../simulator/radio/medium.js';
import { DEFAULT_PATH_LOSS } from '../../simulator/radio/propagation.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

/**
 * Devices, radio and gateways wired together in virtual time by the engine's Air and Pump, talking to
 * a network over real UDP on loopback: the run engine's path, with the devices and gateways in reach.
 */
export class FleetHarness {
  readonly sched = new VirtualScheduler();
  readonly rng = new Rng('fleet');
  readonly medium = new RadioMedium({
    pathLoss: { ...DEFAULT_PATH_LOSS, shadowingSigma: 0 },
    seed: 'fleet',
    rng: this.rng,
  });
  readonly devices = new Map<string, VirtualDevice>();
  readonly uplinks: DeviceTransmission[] = [];
  readonly deviceEvents: (DeviceEvent & { deviceId: string })[] = [];
  /** With `listeners`, downlinks reach only devices that may be listening (as the run engine does). */
  readonly listeners: ListenerIndex | undefined;

  constructor(o: { listeners?: boolean; keepTraffic?: boolean } = {}) {
    this.listeners = o.listeners ? new ListenerIndex() : undefined;
    this.keepTraffic = o.keepTraffic ?? true;
    this.air = new Air({
      scheduler: this.sched,
      medium: this.medium,
      ...(this.listeners ? { listeners: this.listeners } : {}),
    });
    this.clock = new Pump({ scheduler: this.sched, busyUntilUs: () => this.air.busyUntilUs });
  }

  private readonly keepTraffic: boolean;

  /** The engine's own air: the same wiring of medium, gateways and devices as `lorafleet run`. */
  readonly air: Air;
  private readonly clock: Pump;

  async addGateway(id: string, eui: string, x: number, udpPort: number): Promise<VirtualGateway> {
    return this.air.addGateway({
      id,
      eui: Buffer.from(eui, 'hex'),
      position: { x, y: 0 },
      antennaGain: 3,
      server: { host: '127.0.0.1', port: udpPort },
      txFrequencyRange: [863e6, 870e6],
      rng: this.rng.fork(id),
    });
  }

  addDevice(
    config: DeviceConfig,
    x: number,
    store = StateStore.memory(),
    seed: number | string = config.id,
  ): VirtualDevice {
    const dev = new VirtualDevice(
      config,
      this.sched,
      {
        transmit: (tx) => {
          if (this.keepTraffic) this.uplinks.push(tx);
          this.air.uplink(tx);
        },
      },
      new Rng(seed),
      store,
      {
        onEvent: (e) => {
          if (this.keepTraffic) this.deviceEvents.push({ ...e, deviceId: config.id });
          if (e.type === 'joined') this.air.address(e.devAddr, config.id);
        },
      },
    );
    this.air.addDevice(config.id, { x, y: 100 }, dev);
    this.devices.set(config.id, dev);
    return dev;
  }

  /** Advances virtual time by `ms` as `lorafleet run` does, letting real I/O through between steps. */
  async pump(ms: number): Promise<void> {
    await this.clock.runUntil(this.sched.now() + ms * 1000);
  }

  /** Pumps until `cond` holds (or fails after `maxMs` of virtual time). */
  async until(cond: () => boolean, maxMs = 120_000): Promise<void> {
    for (let t = 0; t < maxMs && !cond(); t += 100) await this.pump(100);
    if (!cond()) throw new Error(`condition not met within ${maxMs} ms of virtual time`);
  }

  async stop(): Promise<void> {
    for (const d of this.devices.values()) d.stop();
    await this.air.stop();
  }
}
