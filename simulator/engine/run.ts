import { gatewaySocketShortfall } from '../gateway/fd-limit.js';
import { RunMetrics, type RunMetricsListener } from '../metrics/run-metrics.js';
import { ListenerIndex } from '../radio/listeners.js';
import { RadioMedium } from '../radio/medium.js';
import { Rng } from '../random/rng.js';
import type { LiveReportSink, Progress, RunPhase, RunReport } from '../report/types.js';
import { parseDuration } from '../scenario/duration.js';
import { expand, type DevicePlan, type Expanded, type GatewayPlan } from '../scenario/expand.js';
import { shardOf, type Shard } from '../scenario/shard.js';
import { activeShareAt, stagesOf } from '../scenario/stages.js';
import type { Scenario } from '../scenario/types.js';
import { VirtualScheduler, WallScheduler, type Scheduler } from '../time/scheduler.js';
import { SharedThreadUplinks } from './shared-thread.js';
import { COSTS_WINDOWS_AFTER_US } from '../time/lag.js';
import { DownlinkTracker } from '../tts/downlink-tracker.js';
import { pushDownlinks } from '../tts/downlinks.js';
import { silentLogger, type Logger } from '../tts/logger.js';
import { UplinkVerifier } from '../tts/uplink-verifier.js';
import { Air } from './air.js';
import { setUpCompactFleets, type CompactFleetRun } from './compact-fleets.js';
import { Disposers } from './disposers.js';
import { RunInterruptedError } from './errors.js';
import { createFirmwareDevices, type FirmwareDevice } from './firmware-fleet.js';
import { followRefusals, GATEWAY_PATH } from './refusals.js';
import { classifyEvent, type EventVerdict, type TtsEvent } from '../tts/events-stream.js';
import type { EntityIds, InProcessAccess } from '../../network/index.js';
import { progressOf } from './progress.js';
import { rejectedOf } from './run-counts.js';
import { provision, type Provisioned } from './provision-phase.js';
import { Pump } from './pump.js';
import { buildReport } from './report.js';
import { HealthWatch } from './health.js';
import { Breakdown } from './breakdown.js';
import { DeviceLog } from './device-log.js';
import { FirmwareStats } from './firmware-stats.js';
import { dataRateIndex } from '../region/channels.js';
import { openCapture, type Capture, type CaptureOptions } from './frame-capture.js';
import type { SimulatorHealth } from '../report/types.js';
import { openTarget, type RunTarget } from './target.js';
import { stationTransport, webSocketConnect, type LnsConnect } from '../gateway/station-link.js';
import type { GatewayTransport } from '../semtech-udp/transport.js';
import type { BeaconConfig } from '../gateway/beaconing.js';
import type { Region } from '../region/types.js';
import { RegionError } from '../region/errors.js';
import { beaconFrequency } from '../region/class-b.js';
import { scheduleTraffic } from './traffic.js';

export interface RunOptions {
  /** Override the scenario's `time`. */
  virtualTime?: boolean;
  /** Where per-fleet device state (DevNonces, FCnts) is kept between runs. */
  stateDir?: string;
  logger?: Logger;
  userAgent?: string;
  /** Periodic progress (for the live display). */
  onProgress?: (p: Progress) => void;
  /** Each phase as it starts; provisioning with devices done of total. */
  onPhase?: (phase: RunPhase, done?: number, total?: number) => void;
  /** Resolves when the user asks to stop early (Ctrl-C): traffic stops, drain, teardown, report. */
  stopSignal?: Promise<void>;
  /** Run one deterministic share of the scenario (`--shard i/N`, worker threads). */
  shard?: Shard;
  /** Sees each uplink, delivery and join as it happens (a live exporter). */
  metricsListener?: RunMetricsListener;
  /** Frame trace and capture files (`--trace`, `--pcap`). */
  capture?: CaptureOptions;
  /**
   * In virtual time, reach the embedded network over loopback sockets instead of in process: the
   * path before the in-process transport, kept for comparison (bench) and loopback integration tests.
   * Such a run waits on wall-clock I/O, so its result may depend on the machine.
   */
  sockets?: boolean;
  /**
   * In wall time, run the embedded network on a worker thread of its own: its share of each uplink
   * (every gateway's copy parsed, de-duplicated, checked, published) then takes another core instead
   * of delaying the simulator's timers. `lorafleet run` does so; off here, so that a test reads one loop.
   */
  networkThread?: boolean;
  /**
   * Blocks the simulator's event loop for `forMs` at `atMs` into the traffic: a fault injected to see
   * that a stall of the simulator's own is reported as its own (tests, demonstrations).
   */
  stall?: { atMs: number; forMs: number };
  /** A live view (`--dashboard`): the devices, and the report so far about once a wall second. */
  live?: LiveReportSink;
}

/** A live view gets a report at most this often (wall time): building one reads every device. */
const LIVE_REPORT_EVERY_MS = 1000;

/**
 * Runs a scenario as phases — target, provisioning, air, traffic, drain, teardown, report — each
 * releasing what it holds through one disposer stack, on every path out.
 */
export async function runScenario(s: Scenario, o: RunOptions = {}): Promise<RunReport> {
  const x = shardOf(expand(s), o.shard ?? { index: 0, count: 1 });
  const shortfall = gatewaySocketShortfall(x.gateways.length);
  if (shortfall) throw new Error(shortfall);
  const cleanup = new Disposers(o.logger ?? silentLogger);
  try {
    return await new Run(s, x, o, cleanup).run();
  } finally {
    await cleanup.dispose();
  }
}

/** One run's shared context: what every phase reads. */
class Run {
  readonly log: Logger;
  readonly virtual: boolean;
  readonly scheduler: Scheduler;
  readonly durationMs: number;
  readonly metrics: RunMetrics;
  readonly downlinks = new DownlinkTracker();
  /** Failures the network explained (events stream), by reason. */
  readonly reasons: Record<string, number> = {};
  /** A target's refusals (js.join.reject, ns.up.data.drop…), by reason. */
  readonly rejectedByEvents: Record<string, number> = {};
  stopping = false;
  interrupted = false;
  private firmwareStats!: FirmwareStats;
  /** Frame trace and capture, when asked for. */
  private capture: Capture | undefined;
  /** The live dashboard's device table and frame logs. */
  private deviceLog: DeviceLog | undefined;
  /** The air once traffic starts: the network's events name devices on it. */
  private onAir: Air | undefined;
  /** The run's own application key (traffic rights): what the integration and downlinks are reached with. */
  private runKey = '';

  constructor(
    readonly s: Scenario,
    readonly x: Expanded,
    readonly o: RunOptions,
    readonly cleanup: Disposers,
  ) {
    this.log = o.logger ?? silentLogger;
    this.virtual = o.virtualTime ?? s.time === 'virtual';
    this.scheduler = this.virtual ? new VirtualScheduler() : new WallScheduler();
    this.durationMs = parseDuration(s.duration)!;
    this.metrics = new RunMetrics(this.durationMs);
    if (o.metricsListener) this.metrics.listen(o.metricsListener);
  }

  async run(): Promise<RunReport> {
    const { scheduler, cleanup } = this;
    if (scheduler instanceof WallScheduler) cleanup.defer('wall clock', () => scheduler.stop());
    const target = await openTarget(this.s, cleanup, {
      scheduler,
      inProcess: this.virtual && this.o.sockets !== true,
      provisionInProcess: this.o.sockets !== true,
      networkThread: this.o.networkThread === true,
      logger: this.log,
      ...(this.o.userAgent ? { userAgent: this.o.userAgent } : {}),
    });
    const p = await provision(this.s, this.x, target, cleanup, {
      stateDir: this.o.stateDir ?? '.lorafleet',
      logger: this.log,
      ...(this.o.stopSignal ? { stopSignal: this.o.stopSignal } : {}),
      beforeFleet: (appId, runKey) => this.connect(target, appId, runKey),
      ...(this.o.onPhase ? { onPhase: this.o.onPhase } : {}),
    });
    if (p.interrupted)
      throw new RunInterruptedError(
        `interrupted while provisioning (${p.ok} of ${this.x.devices.length} devices registered)`,
      );
    const air = this.air();
    this.onAir = air;
    this.firmwareStats = new FirmwareStats(this.x.plan.region);
    let firmware: ReadonlyMap<string, FirmwareDevice> = new Map();
    const capture = openCapture(
      this.o.capture ?? {},
      {
        scheduler: this.scheduler,
        devices: () => firmware,
        dataRateOf: (datr) => dataRateIndex(this.x.plan.region, datr),
      },
      cleanup,
    );
    const deviceLog = this.o.live ? this.openDeviceLog(this.o.live) : undefined;
    this.deviceLog = deviceLog;
    if (capture || deviceLog)
      air.onFrame((f) => {
        capture?.frame(f);
        deviceLog?.frame(f);
      });
    // The embedded network over sockets in wall time reads them on this thread: while this loop runs
    // late, its datagrams wait in (and overflow) the socket buffers — the simulator's doing.
    const shared =
      target.type === 'embedded' && target.inProcess === undefined
        ? new SharedThreadUplinks(
            scheduler,
            (id, fCnt) => this.verifier.radio(id, fCnt, 'received', true),
            target.networkStalledBetween,
          )
        : undefined;
    const lateNow = (startUs: number) =>
      scheduler.clockNow() - scheduler.now() > COSTS_WINDOWS_AFTER_US ||
      scheduler.lateBetween(startUs, scheduler.now());
    // Each data frame's radio fate, so that an uplink never delivered can be told why.
    air.onUplinkEnd((tx, fate) => {
      this.breakdown.transmission(fate);
      if (tx.fCnt !== undefined && tx.kind !== 'join' && tx.kind !== 'rejoin') {
        this.verifier.radio(tx.deviceId, tx.fCnt, fate, shared !== undefined && lateNow(tx.startUs));
        if (fate === 'received') {
          shared?.heardAt(tx.deviceId, tx.fCnt, tx.startUs);
          this.downlinks.uplinkHeard(tx.deviceId, tx.startUs);
        }
      }
    });
    this.capture = capture;
    await this.addGateways(air, target);
    const devices = this.addDevices(air, p);
    firmware = devices;
    const compact = this.addCompactFleets(air, p);
    const health = await this.traffic(air, target, p, devices, compact);
    // The network's last counts and stalls (a network thread's), then every uplink still unjudged.
    await target.settle?.();
    shared?.settleAll();
    // Devices stop, the network's counts are read, then the clean-up stack unwinds (state files, MQTT,
    // events, registrations, journal, network) before the report is built.
    for (const e of devices.values()) e.dev.stop();
    const network = target.counters(this.rejectedByEvents);
    await cleanup.dispose();
    return this.report({ target, p, devices, compact, air, network, health, settled: true });
  }

  /** The report of what happened: at the end (settled), or so far for a live view. */
  private report(o: {
    target: RunTarget;
    p: Provisioned;
    devices: ReadonlyMap<string, FirmwareDevice>;
    compact: CompactFleetRun[];
    air: Air;
    network: Record<string, unknown>;
    health: Omit<SimulatorHealth, 'windowsLate'>;
    settled: boolean;
  }): RunReport {
    return buildReport({
      scenario: this.s,
      seed: this.x.seed,
      target: o.target.type,
      virtual: this.virtual,
      durationMs: this.durationMs,
      interrupted: this.interrupted,
      devices: o.devices,
      compact: o.compact,
      gateways: o.air.gateways,
      verifier: this.verifier,
      downlinks: this.downlinks,
      network: o.network,
      reasons: this.reasons,
      notProvisioned: o.p.notProvisioned,
      metrics: this.metrics,
      shard: this.x.shard,
      health: o.health,
      firmware: this.firmwareStats.report(o.devices),
      settled: o.settled,
    });
  }

  /** The dashboard's device table: every device's fleet, known from the scenario. */
  private openDeviceLog(live: LiveReportSink): DeviceLog {
    const fleetOf = new Map(this.x.devices.map((d) => [d.deviceId, d.fleet.name]));
    const log = new DeviceLog(this.scheduler, (id) => fleetOf.get(id));
    live.devices(log);
    return log;
  }

  readonly breakdown = new Breakdown();

  readonly verifier = new UplinkVerifier(
    () => this.scheduler.now() / 1000,
    (ms, fleet) => {
      this.metrics.uplinkDelivered(this.scheduler.now(), ms);
      this.breakdown.delivered(fleet);
    },
  );

  /**
   * MQTT and the events stream before the fleet: a wrong URL or a key without traffic rights fails the
   * run in a second, before thousands of devices are registered.
   */
  private async connect(target: RunTarget, appId: string, runKey: string): Promise<void> {
    this.runKey = runKey;
    if (target.inProcess) return this.connectInProcess(target, target.inProcess, appId);
    const tenant = this.s.target.tenant ?? (this.s.target.ttn ? 'ttn' : undefined);
    const user = tenant ? `${appId}@${tenant}` : appId;
    this.cleanup.defer('MQTT', () => this.verifier.close());
    if (this.x.shard !== undefined && this.x.shard.count > 1) {
      const mine = new Set(this.x.devices.map((d) => d.deviceId));
      this.verifier.ours = (id) => mine.has(id);
    }
    await this.verifier.connect(target.mqttUrl, user, runKey, user);
    await followRefusals(target, appId, this.x, this.cleanup, this.log, (v) => this.onVerdict(v));
  }

  /** The same subscriptions as connect(), to a network on the run's own scheduler. */
  private connectInProcess(target: RunTarget, net: InProcessAccess, appId: string): void {
    const offApp = net.subscribeApplication(appId, this.runKey, (topic, m) =>
      this.verifier.receiveMessage(topic, m),
    );
    this.cleanup.defer('application subscription', offApp);
    const offEvents = net.subscribeEvents(
      target.eventIdentifiers(appId, this.x) as EntityIds[],
      target.eventNames ?? [],
      this.runKey,
      (e) => {
        const v = classifyEvent(e as unknown as TtsEvent);
        if (v !== undefined) this.onVerdict(v);
      },
    );
    this.cleanup.defer('events subscription', offEvents);
  }

  /** What the network explained on its events stream, counted by reason. */
  private onVerdict(v: EventVerdict): void {
    // Per gateway path: the network then tries the next gateway, so it is not a failed downlink.
    const key = v.kind === 'gateway-path' ? `${GATEWAY_PATH}${v.reason}` : v.reason;
    this.reasons[key] = (this.reasons[key] ?? 0) + 1;
    if (v.kind === 'rejection') {
      this.rejectedByEvents[v.reason] = (this.rejectedByEvents[v.reason] ?? 0) + 1;
      if (v.deviceId !== undefined && !v.reason.startsWith('js.')) this.verifier.refused(v.deviceId);
    }
    // The device's answer never left: its missing Join-accept or downlink is then a downlink loss.
    if (v.kind === 'downlink-failure' && v.notScheduled)
      this.onAir?.notScheduled(v.notScheduled.deviceId, v.notScheduled.kind);
  }

  private air(): Air {
    const rng = new Rng(`${this.x.seed}/run`);
    return new Air({
      scheduler: this.scheduler,
      medium: new RadioMedium({
        seed: this.x.seed,
        rng: rng.fork('medium'),
        collisions: this.s.radio.collisions,
      }),
      listeners: new ListenerIndex(),
      onReception: (rssi, snr) => this.metrics.reception(rssi, snr),
    });
  }

  /** How a gateway reaches the target: Semtech UDP (a socket unless in process), or Basics Station. */
  private gatewayTransport(g: GatewayPlan, target: RunTarget, air: Air): { transport?: GatewayTransport } {
    if (g.protocol === 'semtech-udp')
      return target.inProcess ? { transport: target.inProcess.gatewayTransport } : {};
    const inProcess = target.inProcess;
    // A tts target without gateway_lns is refused when the scenario loads.
    const connect: LnsConnect = inProcess
      ? (eui, onText) => Promise.resolve(inProcess.stationChannel(eui, onText))
      : webSocketConnect(target.lns!);
    const session = 1 + (Number.parseInt(g.eui.slice(-4), 16) % 31);
    const carrierSense = (frequency: number, atUs: number) => air.carrierRssi(g.id, frequency, atUs);
    const region = this.x.plan.region;
    return { transport: stationTransport({ eui: g.eui, region, connect, session, carrierSense }) };
  }

  private async addGateways(air: Air, target: RunTarget): Promise<void> {
    const region = this.x.plan.region;
    const txRange = this.x.plan.txRange ?? [
      Math.min(...region.subBands.map((b) => b.minFrequency)),
      Math.max(...region.subBands.map((b) => b.maxFrequency)),
    ];
    for (const g of this.x.gateways) {
      const gw = await air.addGateway({
        id: g.id,
        eui: Buffer.from(g.eui, 'hex'),
        position: g.position,
        antennaGain: g.antennaGain,
        server: target.udp,
        ...this.gatewayTransport(g, target, air),
        txFrequencyRange: txRange as [number, number],
        rng: new Rng(`${this.x.seed}/gateway/${g.id}`),
        ...(g.beacon ? { beacon: beaconOf(region, g.antennaGain) } : {}),
      });
      this.cleanup.defer(`gateway ${g.id}`, () => gw.stop());
    }
  }

  private addDevices(air: Air, p: Provisioned): Map<string, FirmwareDevice> {
    const plans: DevicePlan[] = [];
    for (const d of this.x.devices) {
      if (p.refused.has(d.deviceId)) continue;
      // Compact devices live in their fleet's typed arrays (addCompactFleets): no object per device.
      if (d.fleet.model === 'compact') air.addDevice(d.deviceId, d.position);
      else plans.push(d);
    }
    const { verifier, metrics, downlinks, scheduler } = this;
    const byId = new Map(plans.map((d) => [d.deviceId, d.fleet.name]));
    return createFirmwareDevices(plans, {
      scheduler,
      air,
      region: this.x.plan.region,
      seed: this.x.seed,
      storeFor: p.storeFor,
      sessions: p.sessions,
      onTransmit: (tx) => {
        const fleet = byId.get(tx.deviceId);
        if (fleet !== undefined) this.firmwareStats.transmitted(fleet, tx);
        if (tx.kind === 'join') metrics.joinRequest(scheduler.now());
      },
      onEvent: (deviceId, e) => {
        this.capture?.deviceEvent(deviceId, e);
        this.deviceLog?.event(deviceId, e);
        this.firmwareStats.event(e);
        if (e.type === 'downlink' && e.fPort !== null && e.fPort > 0)
          downlinks.received(deviceId, e.fPort, e.payload, e.fCnt, e.window);
        // An application uplink is expected at the application from the moment it leaves the antenna.
        if (e.type === 'uplink' && e.attempt === 1 && e.fPort !== null && e.fPort > 0 && e.payload) {
          const fleet = byId.get(deviceId);
          verifier.expect(deviceId, e.fCnt, e.payload, e.startUs / 1000, fleet);
          metrics.uplinkSent(e.startUs);
          if (fleet !== undefined) this.breakdown.sent(fleet);
        }
        if (e.type === 'joined') metrics.joinAccept(scheduler.now());
      },
    });
  }

  private addCompactFleets(air: Air, p: Provisioned): CompactFleetRun[] {
    const plans = new Map<string, DevicePlan[]>();
    for (const d of this.x.devices) {
      if (p.refused.has(d.deviceId) || d.fleet.model !== 'compact') continue;
      const list = plans.get(d.fleet.name);
      if (list) list.push(d);
      else plans.set(d.fleet.name, [d]);
    }
    const compact = setUpCompactFleets({
      plans,
      scenario: this.s.name,
      stateDir: this.o.stateDir ?? '.lorafleet',
      seed: this.x.seed,
      region: this.x.plan.region,
      scheduler: this.scheduler,
      isActive: (ordinal, now) => this.isActive(ordinal, now),
      onUplink: (id, tx, fleet) => {
        this.verifier.expect(id, tx.fCnt, tx.payload, tx.startUs / 1000, fleet);
        this.metrics.uplinkSent(tx.startUs);
        this.breakdown.sent(fleet);
        // Field by field, not a spread of `tx`: one object shape on the air's path, and the fleet's
        // payload buffer (rewritten for its next uplink) is not carried along.
        air.uplink({
          deviceId: id,
          fCnt: tx.fCnt,
          kind: 'data',
          frequency: tx.frequency,
          modulation: 'LORA',
          spreadingFactor: tx.spreadingFactor,
          bandwidth: tx.bandwidth,
          eirp: tx.eirp,
          startUs: tx.startUs,
          airtimeUs: tx.airtimeUs,
          phyPayload: tx.phyPayload,
          datr: tx.datr,
          codr: tx.codr,
          channel: tx.channel,
        });
      },
    });
    for (const c of compact) {
      this.cleanup.defer('compact fleet', () => c.close());
      c.plans.forEach((plan, i) => {
        air.hearFor(plan.deviceId, c.fleet);
        air.address(c.devAddrs[i]!, plan.deviceId);
        this.deviceLog?.add(plan.deviceId, true);
      });
    }
    return compact;
  }

  private trafficWindow: { startAt: number; endAt: number; activeShare: (t: number) => number } | undefined;

  private isActive(ordinal: number, nowUs: number): boolean {
    const w = this.trafficWindow;
    if (w === undefined || this.stopping || nowUs >= w.endAt) return false;
    return ordinal / this.x.total < w.activeShare(nowUs - w.startAt);
  }

  /** Traffic for the scenario's duration, then the drain; Ctrl-C cuts both short. */
  private async traffic(
    air: Air,
    target: RunTarget,
    p: Provisioned,
    devices: Map<string, FirmwareDevice>,
    compact: CompactFleetRun[],
  ): Promise<Omit<SimulatorHealth, 'windowsLate'>> {
    const { scheduler, s, log } = this;
    const startAt = scheduler.now();
    const health = new HealthWatch(scheduler);
    const stall = this.o.stall;
    if (stall)
      scheduler.at(startAt + stall.atMs * 1000, () => {
        const until = performance.now() + stall.forMs;
        while (performance.now() < until); // the stall itself: nothing else runs
      });
    this.metrics.start(startAt);
    this.firmwareStats.start(startAt, this.durationMs);
    const endAt = startAt + this.durationMs * 1000;
    const stages = stagesOf(s);
    this.trafficWindow = { startAt, endAt, activeShare: (t) => activeShareAt(stages, t) };
    for (const c of compact) c.fleet.start();
    scheduleTraffic(devices.values(), {
      scheduler,
      startAt,
      endAt,
      joinWindowUs: parseDuration(s.load.join_window)! * 1000,
      total: this.x.total,
      activeShare: this.trafficWindow.activeShare,
      stopping: () => this.stopping,
      pushDownlink: (d) => {
        const cid = `lorafleet:${d.deviceId}:${d.k}`;
        this.downlinks.scheduled({
          deviceId: d.deviceId,
          fPort: d.fPort,
          bytes: d.bytes,
          correlationId: cid,
          atUs: scheduler.now(),
        });
        const item = {
          f_port: d.fPort,
          frm_payload: Buffer.from(d.bytes).toString('base64'),
          confirmed: d.confirmed,
          priority: 'NORMAL' as const,
          correlation_ids: [cid],
        };
        const failed = (err: Error) =>
          log.warn({ device: d.deviceId, error: err.message }, 'downlink push failed');
        if (target.inProcess)
          target.inProcess.pushDownlinks(p.appId, d.deviceId, this.runKey, { downlinks: [item] }, failed);
        else pushDownlinks(target.client, p.appId, d.deviceId, [item]).catch(failed);
      },
    });
    void this.o.stopSignal?.then(() => {
      this.interrupted = true;
      this.stopping = true;
    });
    let liveAtMs = Number.NEGATIVE_INFINITY;
    const live = (phase: string) => {
      const now = performance.now();
      if (!this.o.live || now - liveAtMs < LIVE_REPORT_EVERY_MS) return;
      liveAtMs = now;
      const network = target.counters(this.rejectedByEvents);
      const r = this.report({
        target,
        p,
        devices,
        compact,
        air,
        network,
        health: health.soFar(),
        settled: false,
      });
      this.o.live.snapshot(r, {
        phase,
        elapsedMs: (scheduler.now() - startAt) / 1000,
        durationMs: this.durationMs,
        transmissionsLost: this.breakdown.transmissionsLost(),
      });
    };
    const progress = (settled = false) => {
      live(this.stopping ? 'draining' : 'traffic');
      this.o.onProgress?.(
        progressOf({
          timeMs: scheduler.wallClockMs(),
          elapsedMs: (scheduler.now() - startAt) / 1000,
          durationMs: this.durationMs,
          devices,
          compact,
          verifier: this.verifier,
          downlinks: this.downlinks,
          rejected: rejectedOf(target.counters(this.rejectedByEvents)),
          notProvisioned: p.notProvisioned.length,
          settled,
          timerLagP99Ms: health.timerLagMs().p99,
          breakdown: this.breakdown.figures({
            devices,
            compact,
            gateways: air.gateways,
            reasons: this.reasons,
          }),
        }),
      );
    };
    const activity = target.activity;
    const pump = new Pump({
      scheduler,
      closed: target.inProcess !== undefined,
      busyUntilUs: () => air.busyUntilUs,
      ...(activity ? { activity: () => activity() + this.verifier.deliveredCount } : {}),
      onSecond: progress,
    });
    log.info({ durationMs: this.durationMs, clock: this.virtual ? 'virtual' : 'wall' }, 'traffic started');
    this.o.onPhase?.('traffic');
    await pump.runUntil(endAt, () => this.interrupted);
    this.stopping = true;
    for (const d of devices.values()) d.dev.endTraffic();
    for (const c of compact) c.fleet.stop();
    log.info({ interrupted: this.interrupted }, 'draining');
    this.o.onPhase?.('draining');
    const drainMs = parseDuration(s.drain)!;
    // Ctrl-C during the drain ends it: the run reports what it has.
    await pump.runUntil(scheduler.now() + drainMs * 1000, () => this.interrupted);
    progress(true);
    return health.finish();
  }
}

/** A gateway's beacon in its region: the beacon channel and data rate (RP002), 14 dBm conducted. */
function beaconOf(region: Region, antennaGain: number): BeaconConfig {
  const dr = region.dataRates[region.beacon.dataRate];
  if (dr === undefined || dr.modulation !== 'LORA')
    throw new RegionError('beacon.dataRate', region.beacon.dataRate, 'a LoRa data rate');
  return {
    frequencyAt: (t) => beaconFrequency(region, t),
    datr: dr.datr,
    spreadingFactor: dr.spreadingFactor,
    bandwidth: dr.bandwidth,
    eirp: 14 + antennaGain,
  };
}
