import { cryptoBenches } from './crypto.bench.js';
import { embeddedBenches, embeddedWallBenches, networkMemoryBenches } from './embedded.bench.js';
import { gatewayBenches } from './gateway.bench.js';
import { report, type BenchResult } from './harness.js';
import { joinStormBenches } from './join-storm.bench.js';
import { millionBenches } from './million.bench.js';
import { endToEndBenches, lagBenches, memoryBenches } from './scale.bench.js';
import { ttsTargetBenches } from './tts-target.bench.js';
import { captureBenches, virtualTimeBenches } from './virtual-time.bench.js';

/**
 * `npm run bench [-- --json] [-- --ms N] [-- --join-storm N] [-- --wall-s N] [-- --devices N]`: each
 * lorafleet operation against its baseline in the same process, printed as rates and a ratio (`--json`:
 * one JSON line each, what `npm run bench:readme` turns into the README's tables). Speed is measured
 * here, never asserted in the test suite.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const numberArg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  const n = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`${name}: expected a whole number, got ${args[i + 1]}\n`);
    process.exit(2);
  }
  return n;
};
const ms = numberArg('--ms', 1000);
// `--join-storm N` (default 2,000, the scenario's own size; 0 skips it): past ten thousand devices the
// storm takes many minutes (see the README).
const stormDevices = numberArg('--join-storm', 2_000);
// `--wall-s N`: how long the embedded target runs at 10,000 uplinks/s in wall time (the target is
// 300; 0 skips it).
const wallS = numberArg('--wall-s', 30);
// `--devices N`: a run of N compact devices through `lorafleet run` (and of N/100, its baseline);
// 0 (the default) skips it: a million take about half an hour and 8 GB.
const runDevices = numberArg('--devices', 0);

if (!json)
  process.stdout.write(`lorafleet bench — node ${process.version}, ${process.arch}, ${ms} ms per side\n`);
const all = (rs: BenchResult[]) => {
  for (const r of rs) report(r, json);
  return rs;
};
const byName = (rs: BenchResult[], name: string) => rs.find((r) => r.name === name)!;
all(await cryptoBenches(ms));
const gateway = all(await gatewayBenches(ms));
const [fleetPath] = all(await endToEndBenches(ms));
const onlyGateway = byName(gateway, 'gateway.rxpk-to-udp-sink');
all([
  {
    name: 'scale.fleet-path-vs-gateway-only',
    ops_per_s: fleetPath!.ops_per_s,
    baseline: 'gateway only (rxpk to the sink)',
    baseline_ops_per_s: onlyGateway.ops_per_s,
    ratio: fleetPath!.ops_per_s / onlyGateway.ops_per_s,
    detail:
      'the fleet path (frames built with full crypto) against its gateway alone; target ≥ 0.5, and 150,000/s',
  },
]);
all(await lagBenches(ms));
all(await memoryBenches([100_000, 1_000_000]));
all(await networkMemoryBenches());
all(await embeddedBenches(fleetPath!.ops_per_s));
if (wallS > 0) all(await embeddedWallBenches(wallS));
all(await ttsTargetBenches());
all(await virtualTimeBenches());
all(await captureBenches());
if (stormDevices > 0) all(await joinStormBenches(stormDevices));
if (runDevices > 0) all(await millionBenches(runDevices));
