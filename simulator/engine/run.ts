import { join } from 'node:path';
import { Disposers } from './disposers.js';
import { RunInterruptedError } from './errors.js';
import { aes128Key, eui64 } from '../../crypto/types.js';
import { CompactFleet, type CompactTransmission } from '../device/compact-fleet.js';
import { VirtualDevice } from '../device/device.js';
import { FCntFile } from '../device/fcnt-file.js';
import { StateStore } from '../device/state-store.js';
import type { DeviceConfig } from '../device/types.js';
import { gatewaySocketShortfall } from '../gateway/fd-limit.js';
import { VirtualGateway } from '../gateway/gateway.js';
import { sessionKeys10 } from '../lorawan/frame-security.js';
import { metricsFrom } from '../metrics/report-metrics.js';
import {
  RunMetrics,
  type DistributionsJson,
  type RunMetricsListener,
  type TimelineJson,
} from '../metrics/run-metrics.js';
import { EmbeddedNetwork } from '../network/embedded-network.js';
import { ListenerIndex } from '../radio/listeners.js';
import { RadioMedium } from '../radio/medium.js';
import { Rng } from '../random/rng.js';
import type { Region } from '../region/types.js';
import { parseDuration } from '../scenario/duration.js';
import { expand, nextInterval, payloadFor, type DevicePlan } from '../scenario/expand.js';
import { shardOf, type Shard } from '../scenario/shard.js';
import { activeShareAt, stagesOf } from '../scenario/stages.js';
import { evaluate, parseThreshold, type ThresholdResult } from '../scenario/thresholds.js';
import type { Scenario } from '../scenario/types.js';
import { VirtualScheduler, WallScheduler, type Scheduler } from '../time/scheduler.js';
import { DownlinkTracker } from '../tts/downlink-tracker.js';
import { pushDownlinks } from '../tts/downlinks.js';
import { classifyEvent, followEvents, subscriptionIdentifiers } from '../tts/events-stream.js';
import { TtsClient } from '../tts/http-client.js';
import { silentLogger, type Logger } from '../tts/logger.js';
import { UplinkVerifier } from '../tts/uplink-verifier.js';
import {
  applicationIdOf,
  openJournal,
  prepareApplication,
  provisionerFor,
  registerFleet,
  DEFAULT_PROVISIONING_CONCURRENCY,
  siblingStateFiles,
  stateFile,
  ttsTarget,
} from './target.js';

export interface RunOptions {
  /** Override the scenario's `time`. */
  virtualTime?: boolean;
  /** Where per-fleet device state (DevNonces, FCnts) is kept between runs. */
  stateDir?: string;
  logger?: Logger;
  userAgent?: string;
  /** Periodic progress (for the live display). */
  onProgress?: (p: Progress) => void;
  /** Resolves when the user asks to stop early (Ctrl-C): traffic stops, drain, teardown, report. */
  stopSignal?: Promise<void>;
  /** Run one deterministic share of the scenario (`--shard i/N`, worker threads). */
  shard?: Shard;
  /** Sees each uplink, delivery and join as it happens (a live exporter). */
  metricsListener?: RunMetricsListener;
}

export interface Progress {
  elapsedMs: number;
  durationMs: number;
  joined: number;
  devices: number;
  uplinksSent: number;
  uplinksDelivered: number;
  /** End-to-end latency so far, ms (null before the first delivery). */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Refusals the network explained so far (events), plus spec violations the devices saw. */
  errors: number;
  joinRequests: number;
  downlinksScheduled: number;
  downlinksReceived: number;
  rxWindowMisses: number;
}

export interface RunReport {
  verdict: 'pass' | 'fail';
  scenario: string;
  seed: string;
  target: string;
  time: 'wall' | 'virtual';
  /** Present when the report is one shard's (`shard`) or merged from shards (`merged`). */
  shard?: { index: number; count: number };
  merged?: { shards: number };
  /** Worker threads the run was spread over (`--workers`), when more than one. */
  workers?: number;
  /** Devices and gateways this run simulated. */
  devices: number;
  gatewaysSimulated: number;
  durationMs: number;
  interrupted: boolean;
  thresholds: ThresholdResult[];
  metrics: Record<string, unknown>;
  fleets: Record<string, Record<string, number>>;
  gateways: Record<string, Record<string, number>>;
  network: Record<string, unknown>;
  violations: Record<string, number>;
  /** A few of the violations with their details, to see exactly where the network broke the spec. */
  violationSamples: { device: string; kind: string; detail: string }[];
  /** `notProvisioned`: the first few devices the target refused, with its reason. */
  diagnostics: { reasons: Record<string, number>; notProvisioned: { device: string; error: string }[] };
  /** Per time bucket from the start of traffic: what the HTML report plots. */
  timeline: TimelineJson;
  distributions: DistributionsJson;
}

/** Runs a scenario: provision → traffic → drain → teardown → report. */
export async function runScenario(s: Scenario, o: RunOptions = {}): Promise<RunReport> {
  const log = o.logger ?? silentLogger;
  const virtual = o.virtualTime ?? s.time === 'virtual';
  const x = shardOf(expand(s), o.shard ?? { index: 0, count: 1 });
  const shortfall = gatewaySocketShortfall(x.gateways.length);
  if (shortfall) throw new Error(shortfall);
  const scheduler: Scheduler = virtual ? new VirtualScheduler(Date.now()) : new WallScheduler();
  const durationMs = parseDuration(s.duration ?? '60s')!;
  const drainMs = parseDuration(s.drain ?? '10s')!;
  const targetType = s.target?.type ?? 'embedded';
  const name = s.name ?? 'scenario';
  const appId = applicationIdOf(s);

  const cleanup = new Disposers(log);
  try {
    return await runWith(cleanup);
  } finally {
    await cleanup.dispose();
  }

  async function runWith(cleanup: Disposers): Promise<RunReport> {
    // --- the target
    let net: EmbeddedNetwork | undefined;
    let client: TtsClient;
    let udp: { host: string; port: number };
    let mqttUrl: string;
    const reasons: Record<string, number> = {};
    /** A TTS target's refusals (js.join.reject, ns.up.data.drop…), by reason: `network_rejections`. */
    const rejectedByTts: Record<string, number> = {};
    if (scheduler instanceof WallScheduler) cleanup.defer('wall clock', () => scheduler.stop());
    if (targetType === 'embedded') {
      const embedded = new EmbeddedNetwork({ scheduler, rx1Delay: 1 });
      net = embedded;
      const a = await embedded.start();
      cleanup.defer('embedded network', () => embedded.stop());
      client = new TtsClient({
        target: { url: `http://127.0.0.1:${a.http!.port}` },
        apiKey: embedded.apiKey,
        userAgent: o.userAgent ?? 'lorafleet',
        concurrency: s.target?.provisioning_concurrency ?? DEFAULT_PROVISIONING_CONCURRENCY,
        logger: log,
      });
      udp = a.udp;
      mqttUrl = `mqtt://127.0.0.1:${a.mqtt!.port}`;
      embedded.events.subscribe({
        identifiers: [{ application_ids: { application_id: appId } }],
        names: ['/reject|drop|fail/'],
        send: (e) => {
          const data = e.data as
            { name?: string; downlink_failed?: { error?: { message?: string } } } | undefined;
          const r = `${e.name}: ${data?.name ?? data?.downlink_failed?.error?.message ?? ''}`;
          reasons[r] = (reasons[r] ?? 0) + 1;
        },
      });
    } else {
      ({ client, udp, mqttUrl } = ttsTarget(s, {
        ...(o.userAgent ? { userAgent: o.userAgent } : {}),
        logger: log,
      }));
    }

    const stateDir = o.stateDir ?? '.lorafleet';
    const journal = openJournal(s, stateDir, x.shard);
    if (journal.repaired) log.warn({ file: journal.file }, journal.repaired);
    cleanup.defer('journal', () => journal.close());
    // Devices this run registered on a Join Server anew: their JoinNonce history starts over there.
    const recommissioned = new Set<string>();
    // ABP devices whose only downlink counter used is 0, and those whose NS session this run made.
    const zeroDownlinks = new Set<string>();
    const newNsSessions = new Set<string>();
    const provisioner = provisionerFor(s, client, journal, {
      logger: log,
      onJoinServerRecord: (id) => recommissioned.add(id),
      onNetworkServerRecord: (id) => newNsSessions.add(id),
    });
    await prepareApplication(provisioner);
    // From here on, what this run registers is removed again on every path out, unless it is kept:
    // a failed run leaves neither devices nor a run key behind.
    const policy = s.teardown ?? 'delete';
    cleanup.defer('teardown', async () => {
      if (policy === 'delete') {
        await provisioner.teardown({
          devices: x.devices.map((d) => ({ deviceId: d.deviceId, activation: d.spec.activation })),
          gatewayIds: x.gateways.map((g) => g.id),
          // Other shards may still be running in the application: the last step (`lorafleet
          // teardown`) removes it.
          application: x.shard ? 'keep' : 'delete',
        });
      } else {
        await provisioner.deleteRunKeys();
      }
      log.info({ policy }, 'teardown done');
    });
    const runKey = await provisioner.createRunKey(`lorafleet-${name}`.slice(0, 50));

    // MQTT and the events stream before the fleet: a wrong URL or a key without traffic rights
    // fails the run in a second, before thousands of devices are registered.
    const metrics = new RunMetrics(durationMs);
    if (o.metricsListener) metrics.listen(o.metricsListener);
    const verifier = new UplinkVerifier(
      () => scheduler.now() / 1000,
      (ms) => metrics.uplinkDelivered(scheduler.now(), ms),
    );
    const tenant = s.target?.tenant ?? (s.target?.ttn ? 'ttn' : undefined);
    cleanup.defer('MQTT', () => verifier.close());
    await verifier.connect(
      mqttUrl,
      tenant ? `${appId}@${tenant}` : appId,
      runKey,
      tenant ? `${appId}@${tenant}` : appId,
    );
    // A TTS target explains its refusals only on the events stream: follow it per device (application
    // subscriptions miss ns.up.*) and per gateway, and count the reasons for the report.
    if (net === undefined) {
      const events = new AbortController();
      const following = await followEvents(
        client,
        subscriptionIdentifiers(
          appId,
          x.devices.slice(0, MAX_EVENT_SUBSCRIPTIONS).map((d) => d.deviceId),
          x.gateways.map((g) => g.id),
        ),
        (e) => {
          const v = classifyEvent(e);
          if (v === undefined) return;
          // Per gateway path: TTS then tries the next gateway, so it is not a failed downlink.
          const key = v.kind === 'gateway-path' ? `${GATEWAY_PATH}${v.reason}` : v.reason;
          reasons[key] = (reasons[key] ?? 0) + 1;
          if (v.kind === 'rejection') rejectedByTts[v.reason] = (rejectedByTts[v.reason] ?? 0) + 1;
        },
        events.signal,
        { logger: log },
      );
      cleanup.defer('events stream', async () => {
        events.abort();
        await following.done;
      });
    }

    const stores = new Map<string, StateStore>();
    const storeFor = (fleet: string) => {
      let st = stores.get(fleet);
      if (!st) {
        const opened = StateStore.open(stateFile(stateDir, name, fleet, x.shard));
        if (opened.repaired) log.warn({ file: opened.file }, opened.repaired);
        cleanup.defer(`state of fleet ${fleet}`, () => opened.close());
        st = opened;
        for (const f of siblingStateFiles(stateDir, name, fleet, x.shard)) st.raiseFrom(f);
        stores.set(fleet, st);
      }
      return st;
    };
    // An ABP session registered anew continues the device's counters, as an operator re-provisioning a
    // field device would: neither side sees a replayed FCnt or a MIC on the wrong FCntDown.
    const abpCounters = (d: DevicePlan) => {
      if (d.spec.activation !== 'abp' || d.fleet.model === 'compact') return undefined;
      const saved = storeFor(d.fleet.name).get(d.deviceId)?.session;
      if (saved === undefined || d.spec.resetsFCnt) return undefined;
      // Registered only if the NS step runs (`onNetworkServerRecord`); TTS cannot be told FCntDown 0.
      if (saved.nFCntDown === 0 || saved.aFCntDown === 0) zeroDownlinks.add(d.deviceId);
      return {
        fCntUp: saved.fCntUpBound,
        ...(saved.nFCntDown === undefined ? {} : { nFCntDown: saved.nFCntDown }),
        ...(saved.aFCntDown === undefined ? {} : { aFCntDown: saved.aFCntDown }),
      };
    };
    const stopProvisioning = new AbortController();
    void o.stopSignal?.then(() => stopProvisioning.abort());
    // Messages only: an Error object keeps its stack, and what the stack's frames hold, alive.
    const provisioned = await registerFleet(provisioner, s, x, stopProvisioning.signal, abpCounters);
    const notProvisioned = provisioned.failed.map((f) => ({ device: f.deviceId, error: f.error.message }));
    const provisionedCount = provisioned.ok;
    if (stopProvisioning.signal.aborted)
      throw new RunInterruptedError(
        `interrupted while provisioning (${provisioned.ok} of ${x.devices.length} devices registered)`,
      );
    // Devices the target refused are not simulated: their traffic would be counted against it.
    const refused = new Set(notProvisioned.map((f) => f.device));
    for (const f of notProvisioned.slice(0, 10)) log.warn(f, 'not provisioned');
    log.info(
      { target: targetType, application: appId, gateways: x.gateways.length, devices: provisionedCount },
      'provisioned',
    );

    // --- radio, gateways, devices
    const rng = new Rng(`${x.seed}/run`);
    const medium = new RadioMedium({ seed: x.seed, rng: rng.fork('medium') });
    const listeners = new ListenerIndex();
    let busyUntil = 0;
    const busy = (us: number) => (busyUntil = Math.max(busyUntil, scheduler.now() + us));
    const gateways = new Map<string, VirtualGateway>();
    const region = x.plan.region;
    const txRange = x.plan.txRange ?? [
      Math.min(...region.subBands.map((b) => b.minFrequency)),
      Math.max(...region.subBands.map((b) => b.maxFrequency)),
    ];
    const devices = new Map<
      string,
      { dev: VirtualDevice; plan: DevicePlan; rng: Rng; n: number; active: boolean }
    >();
    const downlinks = new DownlinkTracker();
    const compactById = new Map<string, CompactFleet>();
    for (const g of x.gateways) {
      medium.addGateway({ id: g.id, position: g.position, antennaGain: g.antennaGain, noiseFigure: 6 });
      const gw = new VirtualGateway(
        {
          eui: Buffer.from(g.eui, 'hex'),
          server: udp,
          txFrequencyRange: txRange as [number, number],
          antennaGain: g.antennaGain,
        },
        scheduler,
        new Rng(`${x.seed}/gateway/${g.id}`),
        {
          onTransmit: (tx) => {
            busy(2_000_000);
            const m = /^SF(\d+)BW(\d+)$/.exec(String(tx.datr));
            const heard = medium.downlink(
              {
                from: g.id,
                frequency: tx.frequency,
                modulation: tx.modulation,
                spreadingFactor: m ? Number(m[1]) : undefined,
                bandwidth: m ? Number(m[2]) * 1000 : 125_000,
                eirp: tx.eirp,
                start: tx.start,
                airtime: tx.airtime,
              },
              listeners.candidates(tx.start, tx.phyPayload),
            );
            for (const rx of heard) {
              const heardDownlink = {
                phyPayload: tx.phyPayload,
                frequency: tx.frequency,
                datr: tx.datr,
                start: tx.start,
                airtime: tx.airtime,
                rssi: rx.rssi,
                snr: rx.snr,
              };
              const dev = devices.get(rx.to);
              if (dev) dev.dev.hear(heardDownlink);
              else compactById.get(rx.to)?.hear(heardDownlink);
            }
          },
        },
      );
      await gw.start();
      cleanup.defer(`gateway ${g.id}`, () => gw.stop());
      gateways.set(g.id, gw);
    }
    /** A frame on air from a device: who hears it, and the gateways that do forward it when it ends. */
    const airUplink = (tx: {
      deviceId: string;
      frequency: number;
      modulation: 'LORA' | 'FSK';
      spreadingFactor?: number | undefined;
      bandwidth: number;
      eirp: number;
      start: number;
      airtime: number;
      phyPayload: Uint8Array;
      datr: string | number;
      codr: '4/5';
      channel: number;
    }) => {
      const receptions = medium.uplink({
        from: tx.deviceId,
        frequency: tx.frequency,
        modulation: tx.modulation,
        spreadingFactor: tx.spreadingFactor,
        bandwidth: tx.bandwidth,
        eirp: tx.eirp,
        start: tx.start,
        airtime: tx.airtime,
      });
      scheduler.at(tx.start + tx.airtime, () => {
        for (const rx of receptions) {
          if (rx.lost) continue;
          metrics.reception(rx.rssi, rx.snr);
          gateways.get(rx.to)?.receive({
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
    };
    // An OTAA session outlives a run only where the network still holds it: a TTS target whose devices
    // were kept. Elsewhere (a fresh embedded network, devices deleted and registered again) devices
    // join anew, with DevNonces continuing from their saved state.
    const resumeSessions = targetType === 'tts' && s.teardown === 'keep';
    const compactPlans = new Map<string, DevicePlan[]>();
    for (const d of x.devices) {
      if (refused.has(d.deviceId)) continue;
      if (d.fleet.model === 'compact') {
        // Kept in the fleet's typed arrays, set up below: no object per device.
        medium.addDevice({ id: d.deviceId, position: d.position, antennaGain: 0, noiseFigure: 6 });
        const list = compactPlans.get(d.fleet.name);
        if (list) list.push(d);
        else compactPlans.set(d.fleet.name, [d]);
        continue;
      }
      const sp = d.spec;
      // A session resumes only where the network still has it: kept, and not registered anew by this
      // run (a device this run put on the Join Server has no session there yet).
      if (sp.activation === 'otaa' && (!resumeSessions || recommissioned.has(sp.deviceId)))
        storeFor(d.fleet.name).clearSession(sp.deviceId);
      // A new JS record answers with JoinNonce 1: the device is re-commissioned, as a field device
      // registered again would be, instead of refusing it and blaming the network (LoRaWAN 1.1 §6.2.3).
      if (zeroDownlinks.has(sp.deviceId) && newNsSessions.has(sp.deviceId))
        storeFor(d.fleet.name).forgetDownlinkCounters(sp.deviceId);
      if (recommissioned.has(sp.deviceId) && storeFor(d.fleet.name).get(sp.deviceId)?.joinNonce)
        storeFor(d.fleet.name).update(sp.deviceId, { joinNonce: 0 });
      medium.addDevice({ id: sp.deviceId, position: d.position, antennaGain: 0, noiseFigure: 6 });
      const cfg: DeviceConfig = {
        id: sp.deviceId,
        devEui: eui64(sp.devEui),
        version: sp.lorawanVersion,
        activation: sp.activation,
        deviceClass: d.fleet.class ?? 'A',
        region,
        ...(d.fleet.data_rate !== undefined ? { dataRate: d.fleet.data_rate } : {}),
        ...(d.fleet.tx_power !== undefined ? { txPower: d.fleet.tx_power } : {}),
        ...(d.fleet.adr !== undefined ? { adr: d.fleet.adr } : {}),
        ...(d.fleet.link_check_every ? { linkCheckEvery: d.fleet.link_check_every } : {}),
        ...(d.fleet.device_time_every ? { deviceTimeEvery: d.fleet.device_time_every } : {}),
        joinRetryDelay: [5000, 15000],
        ...(sp.activation === 'otaa'
          ? {
              joinEui: eui64(sp.joinEui!),
              appKey: aes128Key(sp.appKey!),
              ...(sp.nwkKey ? { nwkKey: aes128Key(sp.nwkKey) } : {}),
            }
          : {
              devAddr: Number.parseInt(sp.devAddr!, 16) as never,
              sessionKeys:
                sp.lorawanVersion === '1.1'
                  ? {
                      fNwkSIntKey: aes128Key(sp.fNwkSIntKey!),
                      sNwkSIntKey: aes128Key(sp.sNwkSIntKey!),
                      nwkSEncKey: aes128Key(sp.nwkSEncKey!),
                      appSKey: aes128Key(sp.appSKey!),
                    }
                  : sessionKeys10(aes128Key(sp.fNwkSIntKey!), aes128Key(sp.appSKey!)),
              abpRx: { rx1Delay: 1 },
              // The network keeps what the device accepted only where the device was kept.
              restoreMac: resumeSessions && !newNsSessions.has(sp.deviceId),
            }),
      };
      // Named after the device, not drawn from a shared stream: it behaves the same in any shard.
      const drng = new Rng(`${x.seed}/device/${sp.deviceId}`);
      const entry = { dev: undefined as unknown as VirtualDevice, plan: d, rng: drng, n: 0, active: true };
      entry.dev = new VirtualDevice(
        cfg,
        scheduler,
        {
          transmit: (tx) => {
            busy(tx.kind === 'data' ? 2_500_000 : 7_000_000);
            if (tx.rxWindows) listeners.windows(tx.deviceId, tx.rxWindows, scheduler.now());
            if (tx.kind === 'join') metrics.joinRequest(scheduler.now());
            airUplink(tx);
          },
        },
        drng,
        storeFor(d.fleet.name),
        {
          onEvent: (e) => {
            if (e.type === 'downlink' && e.fPort !== null && e.fPort > 0) {
              downlinks.received(sp.deviceId, e.fPort, e.payload, e.fCnt, e.window);
            }
            // An application uplink is expected at the application from the moment it leaves the antenna.
            if (e.type === 'uplink' && e.attempt === 1 && e.fPort !== null && e.fPort > 0 && e.payload) {
              verifier.expect(sp.deviceId, e.fCnt, e.payload, e.start / 1000);
              metrics.uplinkSent(e.start);
            }
            if (e.type === 'joined') {
              metrics.joinAccept(scheduler.now());
              listeners.address(e.devAddr, sp.deviceId);
            }
          },
        },
      );
      devices.set(sp.deviceId, entry);
      if (sp.activation === 'abp') listeners.address(Number.parseInt(sp.devAddr!, 16), sp.deviceId);
      if ((d.fleet.class ?? 'A') === 'C') listeners.continuous(sp.deviceId);
    }

    // --- traffic
    let stopping = false;
    const startAt = scheduler.now();
    metrics.start(startAt);
    const endAt = startAt + durationMs * 1000;
    const joinWindow = parseDuration(s.load?.join_window ?? '10s')! * 1000;
    const stages = stagesOf(s);
    const activeShare = (t: number): number => activeShareAt(stages, t);
    const total = devices.size;
    const compact = setUpCompactFleets({
      plans: compactPlans,
      scenario: name,
      stateDir,
      seed: x.seed,
      region,
      scheduler,
      isActive: (ordinal, now) => !stopping && now < endAt && ordinal / x.total < activeShare(now - startAt),
      onUplink: (id, tx) => {
        busy(2_500_000);
        listeners.windows(id, [tx.start + tx.airtime + 1e6, tx.start + tx.airtime + 2e6], scheduler.now());
        verifier.expect(id, tx.fCnt, tx.payload, tx.start / 1000);
        metrics.uplinkSent(tx.start);
        airUplink({ ...tx, deviceId: id, modulation: 'LORA' });
      },
    });
    for (const c of compact) cleanup.defer('compact fleet', () => c.close());
    for (const c of compact) {
      c.plans.forEach((p, i) => {
        compactById.set(p.deviceId, c.fleet);
        listeners.address(c.devAddrs[i]!, p.deviceId);
      });
      c.fleet.start();
    }
    for (const e of devices.values()) {
      // By the device's place in the whole scenario, so a ramp activates the same devices in any shard.
      const order = e.plan.ordinal / Math.max(1, x.total);
      const start = startAt + e.rng.uniform(0, joinWindow);
      scheduler.at(start, () => e.dev.start());
      const tick = () => {
        if (stopping || scheduler.now() >= endAt) return;
        const f = e.plan.fleet;
        if (e.dev.joined && !e.dev.busy && order < activeShare(scheduler.now() - startAt)) {
          const payload = payloadFor(f.payload, e.rng, e.n++);
          e.dev.send(f.f_port ?? 2, payload, e.rng.next() < (f.confirmed ?? 0));
        }
        scheduler.after(nextInterval(f, e.rng) * 1000, tick);
      };
      scheduler.at(start + e.rng.uniform(0, parseDuration(e.plan.fleet.interval ?? '60s')! * 1000), tick);
      const dl = e.plan.fleet.downlinks;
      if (dl?.per_device) {
        const after = parseDuration(dl.after ?? '5s')! * 1000;
        for (let k = 0; k < dl.per_device; k++) {
          scheduler.at(start + joinWindow + after * (k + 1), () => {
            if (stopping || !e.dev.joined) return;
            const bytes = payloadFor(dl.payload ?? { type: 'random', size: 4 }, e.rng, k);
            const fPort = dl.f_port ?? 10;
            const cid = `lorafleet:${e.plan.spec.deviceId}:${k}`;
            downlinks.scheduled({ deviceId: e.plan.spec.deviceId, fPort, bytes, correlationId: cid });
            pushDownlinks(client, appId, e.plan.spec.deviceId, [
              {
                f_port: fPort,
                frm_payload: Buffer.from(bytes).toString('base64'),
                confirmed: dl.confirmed === true,
                priority: 'NORMAL',
                correlation_ids: [cid],
              },
            ]).catch((err: Error) =>
              log.warn({ device: e.plan.spec.deviceId, error: err.message }, 'downlink push failed'),
            );
          });
        }
      }
    }
    let interrupted = false;
    o.stopSignal?.then(() => {
      interrupted = true;
      stopping = true;
    });
    const progress = () => {
      let joined = 0;
      let sent = 0;
      let joinRequests = 0;
      let misses = 0;
      let errors = Object.entries(reasons)
        .filter(([k]) => !k.startsWith(GATEWAY_PATH))
        .reduce((a, [, n]) => a + n, 0);
      for (const e of devices.values()) {
        if (e.dev.joined) joined++;
        sent += e.dev.counters.uplinks;
        joinRequests += e.dev.counters.joinRequests;
        misses += e.dev.counters.downlinksMissed;
        for (const n of Object.values(e.dev.violations)) errors += n;
      }
      for (const c of compact) {
        joined += c.plans.length;
        sent += c.fleet.counters.uplinks;
        misses += c.fleet.counters.downlinksMissed;
      }
      const live = verifier.live();
      const dl = downlinks.stats();
      o.onProgress?.({
        elapsedMs: (scheduler.now() - startAt) / 1000,
        durationMs,
        joined,
        devices: total + compactById.size,
        uplinksSent: sent,
        uplinksDelivered: live.delivered,
        latencyP50Ms: live.p50,
        latencyP99Ms: live.p99,
        errors,
        joinRequests,
        downlinksScheduled: dl.scheduled,
        downlinksReceived: dl.delivered,
        rxWindowMisses: misses,
      });
    };
    const runUntil = async (untilUs: number) => {
      let lastProgress = 0;
      while (scheduler.now() < untilUs && !(interrupted && scheduler.now() >= endAt)) {
        if (interrupted) break;
        if (scheduler instanceof VirtualScheduler) {
          const now = scheduler.now();
          const next = scheduler.nextAt() ?? untilUs;
          // While frames are in flight, small steps with real I/O between; otherwise jump.
          const step = now < busyUntil ? 20_000 : Math.max(20_000, Math.min(next - now, 1_000_000));
          scheduler.advanceTo(Math.min(untilUs, now + step));
          await new Promise((r) => setTimeout(r, now < busyUntil ? 1 : 0));
          // An embedded network answers in wall time: while it is still taking in datagrams or
          // publishing uplinks, virtual time waits for it (up to 50 ms a step), so that a heavy load
          // shows as load and not as virtual seconds of latency and missed PUSH_ACKs.
          if (net && now < busyUntil) {
            for (let k = 0; k < 50; k++) {
              const mark = net.udp.counters.pushData + verifier.deliveredCount;
              await new Promise((r) => setTimeout(r, 1));
              if (net.udp.counters.pushData + verifier.deliveredCount === mark) break;
            }
          }
        } else {
          await new Promise((r) => setTimeout(r, 100));
        }
        if (scheduler.now() - lastProgress > 1_000_000) {
          lastProgress = scheduler.now();
          progress();
        }
      }
    };
    log.info({ durationMs, clock: virtual ? 'virtual' : 'wall' }, 'traffic started');
    await runUntil(endAt);
    stopping = true;
    for (const c of compact) c.fleet.stop();
    log.info({ interrupted }, 'draining');
    await runUntil(scheduler.now() + (interrupted ? Math.min(drainMs, 3000) : drainMs) * 1000);
    progress();

    // --- teardown: devices and gateways stop, then the clean-up stack (state files, MQTT, events,
    // registrations, journal, network) unwinds
    for (const e of devices.values()) e.dev.stop();
    const networkCounters = net ? { ...net.ns.counters, udp: net.udp.counters } : { rejected: rejectedByTts };
    await cleanup.dispose();

    return buildReport(
      s,
      x.seed,
      targetType,
      virtual,
      durationMs,
      interrupted,
      devices,
      gateways,
      verifier,
      downlinks,
      networkCounters,
      reasons,
      notProvisioned,
      metrics,
      x.shard,
      compact,
    );
  }
}

/** Marks reasons that concern one gateway path, not the downlink: the network tried the next one. */
const GATEWAY_PATH = 'one gateway path (the network tries the next): ';

/** Device subscriptions on one events stream; beyond this, the first devices stand for the fleet. */
const MAX_EVENT_SUBSCRIPTIONS = 1000;

function buildReport(
  s: Scenario,
  seed: string,
  target: string,
  virtual: boolean,
  durationMs: number,
  interrupted: boolean,
  devices: Map<string, { dev: VirtualDevice; plan: DevicePlan }>,
  gateways: Map<string, VirtualGateway>,
  verifier: UplinkVerifier,
  downlinks: DownlinkTracker,
  network: Record<string, unknown>,
  reasons: Record<string, number>,
  notProvisioned: { device: string; error: string }[],
  timeline: RunMetrics,
  shard: Shard | undefined,
  compact: CompactFleetRun[],
): RunReport {
  const v = verifier.stats();
  const dl = downlinks.stats();
  const fleets: Record<string, Record<string, number>> = {};
  const violations: Record<string, number> = {};
  const violationSamples: { device: string; kind: string; detail: string }[] = [];
  let joinsRequested = 0;
  let joinsAccepted = 0;
  let otaa = 0;
  let otaaJoined = 0;
  let windowMiss = 0;
  let confirmedAcked = 0;
  let confirmedUnacked = 0;
  for (const { dev, plan } of devices.values()) {
    const c = dev.counters;
    const f = (fleets[plan.fleet.name] ??= {
      devices: 0,
      joined: 0,
      uplinks: 0,
      retransmissions: 0,
      downlinks: 0,
      downlinks_missed: 0,
      downlinks_lost_busy: 0,
    });
    f.devices!++;
    if (dev.joined) f.joined!++;
    f.uplinks! += c.uplinks;
    f.retransmissions! += c.retransmissions;
    f.downlinks! += c.downlinks;
    f.downlinks_missed! += c.downlinksMissed;
    f.downlinks_lost_busy! += c.downlinksLostBusy;
    joinsRequested += c.joinRequests;
    joinsAccepted += c.joinAccepts;
    if (plan.spec.activation === 'otaa') {
      otaa++;
      if (dev.joined) otaaJoined++;
    }
    windowMiss += c.downlinksMissed;
    confirmedAcked += c.confirmedAcked;
    confirmedUnacked += c.confirmedUnacked;
    for (const [k, n] of Object.entries(dev.violations)) violations[k] = (violations[k] ?? 0) + n;
    for (const v of dev.recentViolations)
      if (violationSamples.length < 25)
        violationSamples.push({ device: plan.spec.deviceId, kind: v.kind, detail: v.detail });
  }
  for (const c of compact) {
    const k = c.fleet.counters;
    fleets[c.name] = {
      devices: c.plans.length,
      joined: c.plans.length,
      uplinks: k.uplinks,
      retransmissions: 0,
      downlinks: k.downlinksInWindow,
      downlinks_missed: k.downlinksMissed,
      downlinks_lost_busy: 0,
    };
    windowMiss += k.downlinksMissed;
    if (k.downlinksBadMic > 0)
      violations['downlink-mic-invalid'] = (violations['downlink-mic-invalid'] ?? 0) + k.downlinksBadMic;
  }
  const gws: Record<string, Record<string, number>> = {};
  for (const [id, g] of gateways) {
    const c = g.counters;
    gws[id] = {
      received: c.rxReceived,
      forwarded: c.rxForwarded,
      push_data: c.pushData,
      push_ack_missing: c.pushAckMissing,
      transmitted: c.transmitted,
      tx_ack_errors: Object.entries(c.txAck)
        .filter(([k]) => k !== 'NONE')
        .reduce((a, [, n]) => a + n, 0),
    };
  }
  const rejected = (network.rejected as Record<string, number> | undefined) ?? {};
  const metrics = metricsFrom(
    {
      uplinksSent: v.expected,
      uplinksDelivered: v.delivered,
      uplinksLost: v.lost,
      uplinksDuplicated: v.duplicated,
      uplinksCorrupted: v.corrupted,
      joinsRequested,
      joinsAccepted,
      devicesOtaa: otaa,
      devicesOtaaJoined: otaaJoined,
      rxWindowMiss: windowMiss,
      confirmedAcked,
      confirmedUnacked,
      downlinksScheduled: dl.scheduled,
      downlinksReceived: dl.delivered,
      downlinksByWindow: dl.byWindow,
      networkRejections: Object.values(rejected).reduce((a, n) => a + n, 0),
      devicesNotProvisioned: notProvisioned.length,
    },
    verifier.latencyHistogram(),
  );
  const thresholds = (s.thresholds ?? []).map((t) =>
    evaluate(parseThreshold(t), metrics as Record<string, number | null>),
  );
  return {
    verdict: thresholds.every((t) => t.pass) ? 'pass' : 'fail',
    scenario: s.name ?? 'scenario',
    seed,
    target,
    time: virtual ? 'virtual' : 'wall',
    ...(shard ? { shard } : {}),
    devices: devices.size + compact.reduce((a, c) => a + c.plans.length, 0),
    gatewaysSimulated: gateways.size,
    durationMs,
    interrupted,
    thresholds,
    metrics,
    fleets,
    gateways: gws,
    network,
    violations,
    violationSamples,
    diagnostics: { reasons, notProvisioned: notProvisioned.slice(0, 10) },
    timeline: timeline.timeline(),
    distributions: timeline.distributions(),
  };
}

/** A compact fleet of a run: its devices' plans (index i is device i of the fleet) and its FCnt file. */
interface CompactFleetRun {
  name: string;
  plans: DevicePlan[];
  devAddrs: Uint32Array;
  fleet: CompactFleet;
  close(): void;
}

/**
 * The scenario's `model: compact` fleets: each a CompactFleet over its devices' plans, keys and
 * DevAddrs from the scenario expansion, FCntUp bounds in `<scenario>.<fleet>.fcnt` (by the device's
 * index in the fleet, so every shard layout shares one file), the load stages as its `active` test.
 */
function setUpCompactFleets(o: {
  plans: Map<string, DevicePlan[]>;
  scenario: string;
  stateDir: string;
  seed: string;
  region: Region;
  scheduler: Scheduler;
  isActive: (ordinal: number, nowUs: number) => boolean;
  onUplink: (deviceId: string, tx: CompactTransmission) => void;
}): CompactFleetRun[] {
  const out: CompactFleetRun[] = [];
  for (const [name, plans] of o.plans) {
    const f = plans[0]!.fleet;
    const file = FCntFile.open(join(o.stateDir, `${o.scenario}.${name}.fcnt`));
    const saved = file.bounds(f.count);
    // The spec of a compact device is derived when read: read each once, keep what the air needs.
    const devAddrs = new Uint32Array(plans.length);
    const addrIndex = new Map<number, number>();
    plans.forEach((p, i) => {
      devAddrs[i] = Number.parseInt(p.spec.devAddr!, 16) >>> 0;
      addrIndex.set(devAddrs[i]!, i);
    });
    const intervalUs = parseDuration(f.interval ?? '60s')! * 1000;
    const jitterUs =
      f.distribution === 'fixed' ? 0 : (parseDuration(f.jitter ?? '0s') || intervalUs / 1000 / 10) * 1000;
    const v11 = plans[0]!.spec.lorawanVersion === '1.1';
    const fleet = new CompactFleet(
      {
        count: plans.length,
        region: o.region,
        version: v11 ? '1.1' : '1.0',
        dataRate: f.data_rate ?? o.region.defaultDataRate,
        ...(f.tx_power !== undefined ? { txPower: f.tx_power } : {}),
        fPort: f.f_port ?? 2,
        payloadSize: f.payload?.size ?? 12,
        intervalUs,
        jitter: Math.min(0.9, jitterUs / intervalUs),
        rx1Delay: 1,
        devAddr: (i) => devAddrs[i]!,
        indexOf: (a) => addrIndex.get(a) ?? -1,
        sessionKeys: (i, k) => {
          const sp = plans[i]!.spec;
          const hex = v11
            ? [sp.fNwkSIntKey, sp.sNwkSIntKey, sp.nwkSEncKey, sp.appSKey]
            : [sp.fNwkSIntKey, sp.appSKey];
          hex.forEach((h, j) => k.set(Buffer.from(h!, 'hex'), j * 16));
        },
        rng: new Rng(`${o.seed}/compact/${name}`),
        fCnts: {
          initial: (i) => saved[plans[i]!.index] ?? 0,
          reserve: (i, bound) => file.reserve(plans[i]!.index, bound),
        },
        active: (i, now) => o.isActive(plans[i]!.ordinal, now),
      },
      o.scheduler,
      (tx) => o.onUplink(plans[tx.device]!.deviceId, tx),
    );
    out.push({ name, plans, devAddrs, fleet, close: () => file.close() });
  }
  return out;
}
