import { cryptoBenches } from './crypto.bench.js';
import { gatewayBenches } from './gateway.bench.js';
import { report } from './harness.js';
import { joinStormBenches } from './join-storm.bench.js';
import { endToEndBenches, lagBenches, memoryBenches } from './scale.bench.js';
import { captureBenches, virtualTimeBenches } from './virtual-time.bench.js';

/**
 * `npm run bench [-- --json] [-- --ms N] [-- --join-storm N]`: each lorafleet operation against its baseline in the same
 * process, printed as rates and a ratio. Speed is measured here, never asserted in the test suite.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const msArg = args.indexOf('--ms');
const ms = msArg >= 0 ? Number(args[msArg + 1]) : 1000;
// `--join-storm N` (default 100,000; 0 skips it): the storm takes minutes at full size.
const stormArg = args.indexOf('--join-storm');
const stormDevices = stormArg >= 0 ? Number(args[stormArg + 1]) : 100_000;

if (!json)
  process.stdout.write(`lorafleet bench — node ${process.version}, ${process.arch}, ${ms} ms per side\n`);
for (const r of await cryptoBenches(ms)) report(r, json);
for (const r of await gatewayBenches(ms)) report(r, json);
for (const r of await endToEndBenches(ms)) report(r, json);
for (const r of await lagBenches(ms)) report(r, json);
for (const r of await memoryBenches([100_000, 1_000_000])) report(r, json);
for (const r of await virtualTimeBenches()) report(r, json);
for (const r of await captureBenches()) report(r, json);
if (stormDevices > 0) for (const r of await joinStormBenches(stormDevices)) report(r, json);
