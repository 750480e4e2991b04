import { SingleBar } from 'cli-progress';
import { listDevices, provisionScenario, teardownScenario } from '../engine/provision.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { EXIT_OK, EXIT_THRESHOLDS_FAILED, UsageError } from './errors.js';
import { lorafleetVersion } from './version.js';

type Out = (line: string) => void;

/** provision/teardown/devices act on a TTS deployment; the embedded network lives only inside a run. */
function ttsScenario(file: string, command: string): Scenario {
  const s = loadScenario(file);
  if ((s.target?.type ?? 'embedded') !== 'tts') {
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

export async function provisionCommand(
  o: { file: string; stateDir?: string },
  out: Out,
  err: Out,
): Promise<number> {
  const s = ttsScenario(o.file, 'provision');
  const progress = progressReporter(err);
  let r;
  try {
    r = await provisionScenario(s, {
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      userAgent: `lorafleet/${lorafleetVersion()}`,
      onDevice: progress.onDevice,
    });
  } finally {
    progress.stop();
  }
  out(
    `${r.applicationId}: ${r.devices} device(s) and ${r.gateways} gateway(s) provisioned in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  for (const f of r.failed.slice(0, 10)) err(`not provisioned: ${f.deviceId}: ${f.error}`);
  if (r.failed.length > 10) err(`… and ${r.failed.length - 10} more`);
  return r.failed.length === 0 ? EXIT_OK : EXIT_THRESHOLDS_FAILED;
}

export async function teardownCommand(
  o: { file: string; stateDir?: string; application?: 'keep' | 'delete' | 'purge' },
  out: Out,
): Promise<number> {
  const s = ttsScenario(o.file, 'teardown');
  const r = await teardownScenario(s, {
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.application ? { application: o.application } : {}),
    userAgent: `lorafleet/${lorafleetVersion()}`,
  });
  out(`${s.target!.application_id}: ${r.devices} device(s) and ${r.gateways} gateway(s) removed`);
  return EXIT_OK;
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
