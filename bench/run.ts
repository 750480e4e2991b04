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
 * `npm run bench [-- --json] [-- --ms N] [-- --join-storm N] [-- --wall-s N] [-- --devices N]
 * [-- --only GROUP,…]`: each
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
const GROUPS = [
  'crypto',
  'fleet',
  'lag',
  'memory',
  'embedded',
  'tts',
  'virtual-time',
  'storm',
  'run',
] as const;
// `--only GROUP,…`: some groups alone (`fleet` is the gateway and fleet-path lines, which `embedded`
// and `tts` measure against; `run` is the `--devices` run, and `storm` the join storm).
const onlyArg = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;
const unknownGroup = onlyArg?.find((g) => !(GROUPS as readonly string[]).includes(g));
if (unknownGroup !== undefined) {
  process.stderr.write(`--only: no group ${JSON.stringify(unknownGroup)}; groups: ${GROUPS.join(', ')}\n`);
  process.exit(2);
}
const wanted = (g: (typeof GROUPS)[number]) => onlyArg === undefined || onlyArg.includes(g);

if (!json)
  process.stdout.write(`lorafleet bench — node ${process.version}, ${process.arch}, ${ms} ms per side\n`);
const all = (rs: BenchResult[]) => {
  for (const r of rs) report(r, json);
  return rs;
};
const byName = (rs: BenchResult[], name: string) => rs.find((r) => r.name === name)!;
if (wanted('crypto')) all(await cryptoBenches(ms));
let fleetPathPerS = 0;
if (wanted('fleet') || wanted('embedded') || wanted('tts')) {
  const gateway = all(await gatewayBenches(ms));
  const [fleetPath] = all(await endToEndBenches(ms));
  fleetPathPerS = fleetPath!.ops_per_s;
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
}
if (wanted('lag')) all(await lagBenches(ms));
if (wanted('memory')) {
  all(await memoryBenches([100_000, 1_000_000]));
  all(await networkMemoryBenches());
}
if (wanted('embedded')) {
  all(await embeddedBenches(fleetPathPerS));
  if (wallS > 0) all(await embeddedWallBenches(wallS));
}
if (wanted('tts')) all(await ttsTargetBenches());
if (wanted('virtual-time')) {
  all(await virtualTimeBenches());
  all(await captureBenches());
}
if (wanted('storm') && stormDevices > 0) all(await joinStormBenches(stormDevices));
if (wanted('run') && runDevices > 0) all(await millionBenches(runDevices));
