import { StateStore } from '../device/state-store.js';
import type { DevicePlan, Expanded } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import type { Logger } from '../tts/logger.js';
import type { RunPhase } from '../report/types.js';
import type { Disposers } from './disposers.js';
import type { SessionPolicy } from './firmware-fleet.js';
import { applicationIdOf, prepareApplication, provisionerFor, registerFleet } from './provisioning.js';
import { openJournal, siblingStateFiles, stateFile } from './state-files.js';
import type { RunTarget } from './target.js';

/** What provisioning leaves for the rest of the run. */
export interface Provisioned {
  appId: string;
  /** Devices registered (or found registered). */
  ok: number;
  /** The devices the target refused, with its reason (messages only). */
  notProvisioned: { device: string; error: string }[];
  /** …by device ID: they are not simulated, their traffic would be counted against the target. */
  refused: ReadonlySet<string>;
  /** Ctrl-C came while devices were being registered. */
  interrupted: boolean;
  storeFor: (fleet: string) => StateStore;
  sessions: SessionPolicy;
}

export interface ProvisionOptions {
  stateDir: string;
  logger: Logger;
  stopSignal?: Promise<void>;
  /** After the application and the run's key exist, before any device is registered. */
  beforeFleet: (applicationId: string, runKey: string) => Promise<void>;
  /** Where the run is (the live display): provisioning with devices done, then teardown. */
  onPhase?: (phase: RunPhase, done?: number, total?: number) => void;
}

/**
 * The application, a key for the run, the gateways and devices — journalled, and removed again on
 * every path out unless the scenario keeps them: a failed run leaves neither devices nor a key behind.
 */
export async function provision(
  s: Scenario,
  x: Expanded,
  target: RunTarget,
  cleanup: Disposers,
  o: ProvisionOptions,
): Promise<Provisioned> {
  const log = o.logger;
  const name = s.name;
  const journal = openJournal(s, o.stateDir, x.shard);
  if (journal.repaired) log.warn({ file: journal.file }, journal.repaired);
  cleanup.defer('journal', () => journal.close());
  const recommissioned = new Set<string>();
  const newNsSessions = new Set<string>();
  const zeroDownlinks = new Set<string>();
  const provisioner = provisionerFor(s, target.client, journal, {
    logger: log,
    onJoinServerRecord: (id) => recommissioned.add(id),
    onNetworkServerRecord: (id) => newNsSessions.add(id),
    ...(o.onPhase
      ? { onDevice: (done: number, total: number) => o.onPhase!('provisioning', done, total) }
      : {}),
  });
  await prepareApplication(provisioner);
  const policy = s.teardown;
  cleanup.defer('teardown', async () => {
    o.onPhase?.('teardown');
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
  const appId = applicationIdOf(s);
  await o.beforeFleet(appId, await provisioner.createRunKey(`lorafleet-${name}`.slice(0, 50)));

  const storeFor = stateStores(o.stateDir, name, x, cleanup, log);
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
  const stop = new AbortController();
  void o.stopSignal?.then(() => stop.abort());
  const done = await registerFleet(provisioner, s, x, stop.signal, abpCounters);
  // Messages only: an Error object keeps its stack, and what the stack's frames hold, alive.
  const notProvisioned = done.failed.map((f) => ({ device: f.deviceId, error: f.error.message }));
  for (const f of notProvisioned.slice(0, 10)) log.warn(f, 'not provisioned');
  log.info(
    { target: target.type, application: appId, gateways: x.gateways.length, devices: done.ok },
    'provisioned',
  );
  return {
    appId,
    ok: done.ok,
    notProvisioned,
    refused: new Set(notProvisioned.map((f) => f.device)),
    interrupted: stop.signal.aborted,
    storeFor,
    sessions: {
      // An OTAA session outlives a run only where the network still holds it: a TTS target whose
      // devices were kept. Elsewhere devices join anew, DevNonces continuing from their saved state.
      resume: target.type === 'tts' && s.teardown === 'keep',
      recommissioned,
      newNsSessions,
      zeroDownlinks,
    },
  };
}

/** Each fleet's state file, opened on first use and raised to what other shard layouts saved. */
function stateStores(
  stateDir: string,
  scenario: string,
  x: Expanded,
  cleanup: Disposers,
  log: Logger,
): (fleet: string) => StateStore {
  const stores = new Map<string, StateStore>();
  return (fleet) => {
    let st = stores.get(fleet);
    if (!st) {
      const opened = StateStore.open(stateFile(stateDir, scenario, fleet, x.shard));
      if (opened.repaired) log.warn({ file: opened.file }, opened.repaired);
      cleanup.defer(`state of fleet ${fleet}`, () => opened.close());
      st = opened;
      for (const f of siblingStateFiles(stateDir, scenario, fleet, x.shard)) st.raiseFrom(f);
      stores.set(fleet, st);
    }
    return st;
  };
}
