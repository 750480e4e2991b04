// Rewrites the README's performance table from `npm run bench -- --json` output:
//   npm run -s bench -- --json > bench.jsonl && npm run bench:readme -- bench.jsonl
// The figures in the README are what a bench run printed, never copied by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import type { BenchResult } from '../bench/harness.js';

/** What each bench line measures, as the table says it; lines not named here show their name. */
const LABELS: Record<string, string> = {
  'frame-build.uplink-1.0': 'build a 1.0 uplink (11-byte payload), one call',
  'frame-build.uplink-1.0.session': 'build a 1.0 uplink in a session (`UplinkFramer`)',
  'frame-build.uplink-1.1': 'build a 1.1 uplink, one call',
  'frame-build.uplink-1.1.session': 'build a 1.1 uplink in a session',
  'frame-open.uplink-1.0': 'open a 1.0 uplink (decode, verify, decrypt)',
  'aes-cmac.32-bytes': 'AES-CMAC of 32 bytes',
  'gateway.rxpk-to-udp-sink': "a gateway's rxpk to a loopback sink, batched",
  'gateway.basic-station-to-lns-sink': 'a Basics Station gateway to an LNS over WebSocket, per uplink',
  'scale.uplinks-per-s-one-core': 'fleet path: uplinks/s end to end on one core (PUSH_ACK sink)',
  'scale.fleet-path-vs-gateway-only': 'fleet path against its gateway alone',
  'scale.virtual-device-idle-heap': 'heap per idle `VirtualDevice` (firmware model)',
  'embedded.wall-time-delivered': 'embedded network in wall time at 10,000 uplinks/s: delivered/s',
  'tts-target.run-cpu-per-uplink': '`lorafleet run` against a TTS-style target: uplinks per CPU-second',
  'tts-target.workers-2-efficiency': '`--workers 2` against `--workers 1`: uplinks per CPU-second',
  'scale.schedule-lag-p99-at-10k-per-s': 'schedule lag p99 at 10,000 uplinks/s',
  'scale.memory-per-idle-device.100k': 'memory per idle device, 100,000 devices',
  'scale.memory-per-idle-device.1M': 'memory per idle device, 1,000,000 devices',
  'embedded.heap-per-registered-device': 'embedded network: heap per registered device',
  'embedded.registrations-per-s': 'embedded network: registrations/s through the API client',
  'embedded.verified-uplinks-per-core-s': 'embedded network: verified uplinks per CPU-second (virtual time)',
  'virtual-time.quickstart': '`quickstart.yaml` in virtual time',
  'virtual-time.firmware-behaviour-1h': '`firmware-behaviour.yaml` (1 h) in virtual time',
  'capture.trace': '`--trace`: uplinks per wall second',
  'capture.pcap': '`--pcap`: uplinks per wall second',
};

const fmt = (n: number): string =>
  Math.abs(n) >= 100
    ? Math.round(n).toLocaleString('en-US')
    : Number(n.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 });

/** A rate as people read it: µs per operation for fast ones, per second otherwise. */
const rate = (name: string, opsPerS: number): string =>
  /^(frame-|aes-|gateway\.)/.test(name) ? `${(1e6 / opsPerS).toFixed(1)} µs` : `${fmt(opsPerS)}/s`;

function row(r: BenchResult): string {
  const storm = /^scale\.join-storm-(.+)-otaa$/.exec(r.name);
  const big = /^scale\.run-(.+)-devices-embedded-1h$/.exec(r.name);
  const label =
    LABELS[r.name] ??
    (storm
      ? `join storm through the engine, ${storm[1]} OTAA devices: joins/s`
      : big
        ? `\`lorafleet run\` of ${big[1]} compact devices, embedded, 1 h virtual: devices per wall second`
        : `\`${r.name}\``);
  const ours = r.unit !== undefined ? `${fmt(r.value ?? 0)} ${r.unit}` : rate(r.name, r.ops_per_s);
  const theirs =
    r.unit !== undefined
      ? `${r.baseline} ${fmt(r.baseline_value ?? 0)} ${r.unit}`
      : `${r.baseline} ${rate(r.name, r.baseline_ops_per_s)}`;
  const ratio = r.ratio >= 10 ? `${Math.round(r.ratio)}×` : `${r.ratio.toFixed(r.ratio < 1 ? 2 : 1)}×`;
  return `| ${label} | ${ours} | ${theirs} | ${ratio} | ${r.detail ?? ''} |`;
}

/** The table of every bench line, in the order the bench printed them. */
export function benchTable(lines: BenchResult[]): string {
  return [
    '| measurement | lorafleet | baseline (same run) | ratio | detail |',
    '| --- | --- | --- | --- | --- |',
    ...lines.map(row),
  ].join('\n');
}

const EARLIER = 'from an earlier run: ';

/**
 * The rows of the old table the new one does not have (a long run such as the million devices is seldom
 * repeated): kept as they were, their detail marked as from an earlier run.
 */
function unmeasuredRows(oldTable: string, newTable: string): string[] {
  const labels = new Set(newTable.split('\n').slice(2).map(labelOf));
  return oldTable
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\| measurement /.test(l) && !/^\| -/.test(l))
    .filter((l) => !labels.has(labelOf(l)))
    .map((l) => {
      const cells = l.split(' | ').map((c) => c.trim());
      const detail = cells[cells.length - 1]!.replace(/ ?\|$/, '');
      cells[cells.length - 1] = `${detail.startsWith(EARLIER) ? detail : EARLIER + detail} |`;
      return cells.join(' | ');
    });
}

const labelOf = (row: string): string => row.split(' | ')[0]!.replace(/^\| /, '').trim();

/**
 * The README with the text between `<!-- bench -->` and `<!-- /bench -->` replaced by the table of
 * these lines, followed by the rows of the old table they did not measure (see unmeasuredRows).
 */
export function readmeWithBench(readme: string, lines: BenchResult[]): string {
  const re = /<!-- bench -->([\s\S]*?)<!-- \/bench -->/;
  const old = re.exec(readme);
  if (old === null) throw new Error('README.md has no <!-- bench --> … <!-- /bench --> markers');
  const measured = benchTable(lines);
  const table = [measured, ...unmeasuredRows(old[1]!, measured)].join('\n');
  return readme.replace(re, `<!-- bench -->\n\n${table}\n\n<!-- /bench -->`);
}

/** Bench JSON lines; anything else in the file (a header, npm's noise) is skipped. */
export function parseBenchLines(text: string): BenchResult[] {
  const out: BenchResult[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as BenchResult;
    if (typeof r.name === 'string' && typeof r.ratio === 'number') out.push(r);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const from = process.argv[2];
  if (from === undefined) {
    process.stderr.write('usage: npm run bench:readme <bench.jsonl>  (from npm run -s bench -- --json)\n');
    process.exit(2);
  }
  const lines = parseBenchLines(readFileSync(from, 'utf8'));
  if (lines.length === 0) {
    process.stderr.write(`${from}: no bench lines\n`);
    process.exit(2);
  }
  const text = readmeWithBench(readFileSync('README.md', 'utf8'), lines);
  const options = (await resolveConfig('README.md')) ?? {};
  writeFileSync('README.md', await format(text, { ...options, filepath: 'README.md' }));
  process.stdout.write(`README.md: performance table of ${lines.length} bench lines from ${from}\n`);
}
