import { SingleBar } from 'cli-progress';
import { listDevices, provisionScenario, teardownScenario } from '../engine/provision.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { applicationIdOf } from '../engine/provisioning.js';
import type { RemovalCount, TeardownResult } from '../tts/teardown.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLDS_FAILED, UsageError } from './errors.js';
import { lorafleetVersion } from './version.js';

type Out = (line: string) => void;

/** provision/teardown/devices act on a TTS deployment; the embedded network lives only inside a run. */
function ttsScenario(file: string, command: string): Scenario {
  const s = loadScenario(file);
  if (s.target.type !== 'tts') {
    throw new UsageError(
      `${file}: \`lorafleet ${command}\` needs a target of type tts; the embedded network exists only during \`lorafleet run\``,
    );
  }
  return s;
}

/** Devices/s on a TTY as a bar; elsewhere a plain line every 5 s (CI logs stay readable). */
function progressReporter(err: Out): { onDevice: (done: number, total: number) => void; stop: () => void } {
  const started = Date.now();
  const rate = (done: number) => (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'provisioning [{bar}] {value}/{total} devices  {rate} devices/s  eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    });
    let shown = false;
    return {
      onDevice: (done, total) => {
        if (!shown) {
          bar.start(total, 0, { rate: '0' });
          shown = true;
        }
        bar.update(done, { rate: rate(done) });
      },
      stop: () => {
        if (shown) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    onDevice: (done, total) => {
      const now = Date.now();
      if (done < total && now - last < 5000) return;
      last = now;
      err(`provisioning: ${done}/${total} devices, ${rate(done)} devices/s`);
    },
    stop: () => undefined,
  };
}

/**
 * `lorafleet provision`. The first Ctrl-C lets the devices in flight finish (each is whole: IS, JS,
 * NS and AS) and starts no more; the journal lets a rerun continue. A second Ctrl-C exits at once.
 */
export async function provisionCommand(
  o: { file: string; stateDir?: string },
  out: Out,
  err: Out,
): Promise<number> {
  const s = ttsScenario(o.file, 'provision');
  const progress = progressReporter(err);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    err('stopping: finishing the devices in flight (Ctrl-C again to quit now)');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  let r;
  try {
    r = await provisionScenario(s, {
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      userAgent: `lorafleet/${lorafleetVersion()}`,
      onDevice: progress.onDevice,
      signal: stop.signal,
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  out(
    `${r.applicationId}: ${r.devices} device(s) and ${r.gateways} gateway(s) provisioned in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  for (const f of r.failed.slice(0, 10)) err(`not provisioned: ${f.deviceId}: ${f.error}`);
  if (r.failed.length > 10) err(`… and ${r.failed.length - 10} more`);
  if (r.skipped > 0) {
    err(`interrupted: ${r.skipped} device(s) not started; \`lorafleet provision\` again continues`);
    return EXIT_INTERRUPTED;
  }
  return r.failed.length === 0 ? EXIT_OK : EXIT_THRESHOLDS_FAILED;
}

const count = (c: RemovalCount, what: string) =>
  `${c.removed} ${what}(s) removed${c.alreadyGone > 0 ? `, ${c.alreadyGone} already gone` : ''}` +
  (c.failed.length > 0 ? `, ${c.failed.length} failed` : '');

const APPLICATION_OUTCOME: Record<TeardownResult['application'], string> = {
  deleted: 'application deleted (soft: a rerun restores it)',
  purged: 'application purged',
  kept: 'application kept',
  'not-ours': 'application kept (not created by this scenario)',
  'already-gone': 'application already gone',
};

/** `lorafleet teardown`: removes what the scenario registered, says what was already gone; exit 1 if something stayed. */
export async function teardownCommand(
  o: {
    file: string;
    stateDir?: string;
    application?: 'keep' | 'delete' | 'purge';
    gateways?: 'delete' | 'purge';
  },
  out: Out,
  err: Out = () => undefined,
): Promise<number> {
  const s = ttsScenario(o.file, 'teardown');
  const r = await teardownScenario(s, {
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.application ? { application: o.application } : {}),
    ...(o.gateways === 'purge' ? { purgeGateways: true } : {}),
    userAgent: `lorafleet/${lorafleetVersion()}`,
  });
  out(
    `${applicationIdOf(s)}: ${count(r.devices, 'device')}; ${count(r.gateways, 'gateway')}; ${APPLICATION_OUTCOME[r.application]}`,
  );
  const failed = [...r.devices.failed, ...r.gateways.failed];
  for (const f of failed.slice(0, 10)) err(`not removed: ${f.id}: ${f.error}`);
  if (failed.length > 10) err(`… and ${failed.length - 10} more`);
  return failed.length === 0 ? EXIT_OK : EXIT_THRESHOLDS_FAILED;
}

export async function devicesLsCommand(o: { file: string; json?: boolean }, out: Out): Promise<number> {
  const s = ttsScenario(o.file, 'devices ls');
  const list = await listDevices(s, { userAgent: `lorafleet/${lorafleetVersion()}` });
  if (o.json) {
    out(JSON.stringify(list, null, 2));
    return EXIT_OK;
  }
  for (const d of list) out(`${d.deviceId.padEnd(36)}  ${d.devEui ?? '-'}  ${d.joinEui ?? '-'}`);
  out(`${list.length} device(s) in ${s.target!.application_id}`);
  return EXIT_OK;
}
