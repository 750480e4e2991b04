/**
 * `npm run fuzz -- --runs N`: the fuzz properties and samples of the test suite, N cases each
 * (default 20000), with no per-test timeout. CI runs the same tests with small counts.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20000' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`fuzz: --runs expects a whole number of cases, got ${values.runs}\n`);
  process.exit(2);
}
const files = [
  'test/network/udp-frontend.test.ts',
  'test/network/http-hostile.test.ts',
  'test/lorawan/properties.test.ts',
  'test/scenario/fuzz.test.ts',
  'test/semtech-udp/packets.test.ts',
];
process.stdout.write(`fuzz: ${runs} cases per property over ${files.length} files\n`);
const r = spawnSync('npx', ['vitest', 'run', '--testTimeout', '0', ...files], {
  stdio: 'inherit',
  env: { ...process.env, LORAFLEET_FUZZ_RUNS: String(runs) },
});
process.exit(r.status ?? 1);
