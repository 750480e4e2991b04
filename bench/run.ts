import { cryptoBenches } from './crypto.bench.js';
import { embeddedBenches, networkMemoryBenches } from './embedded.bench.js';
import { gatewayBenches } from './gateway.bench.js';
import { report, type BenchResult } from './harness.js';
import { joinStormBenches } from './join-storm.bench.js';
import { endToEndBenches, lagBenches, memoryBenches } from './scale.bench.js';
import { captureBenches, virtualTimeBenches } from './virtual-time.bench.js';

/**
 * `npm run bench [-- --json] [-- --ms N] [-- --join-storm N]`: each lorafleet operation against its baseline in the same
 * process, printed as rates and a ratio (`--json`: one JSON line each, what `npm run bench:readme`
 * turns into the README's tables). Speed is measured here, never asserted in the test suite.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const msArg = args.indexOf('--ms');
const ms = msArg >= 0 ? Number(args[msArg + 1]) : 1000;
// `--join-storm N` (default 2,000, the scenario's own size; 0 skips it): past ten thousand devices the
// storm takes many minutes (see the README).
const stormArg = args.indexOf('--join-storm');
const stormDevices = stormArg >= 0 ? Number(args[stormArg + 1]) : 2_000;

if (!json)
  process.stdout.write(`lorafleet bench — node ${process.version}, ${process.arch}, ${ms} ms per side\n`);
const all = (rs: BenchResult[]) => {
  for (const r of rs) report(r, json);
  return rs;
};
all(await cryptoBenches(ms));
all(await gatewayBenches(ms));
const [fleetPath] = all(await endToEndBenches(ms));
all(await lagBenches(ms));
all(await memoryBenches([100_000, 1_000_000]));
all(await networkMemoryBenches());
all(await embeddedBenches(fleetPath!.ops_per_s));
all(await virtualTimeBenches());
all(await captureBenches());
if (stormDevices > 0) all(await joinStormBenches(stormDevices));
