import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { frequencyPlan, frequencyPlanIds } from '../region/frequency-plan.js';
import { readDevicesCsv } from './devices-csv.js';
import { fullUplinkRate } from './stages.js';
import { parseThreshold } from './thresholds.js';
import { scenarioSchema } from './schema.js';
import { isMetricName, METRIC_NAMES } from '../metrics/registry.js';
import { ScenarioError, type ScenarioProblem } from './errors.js';
import type { Scenario } from './types.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: true });
const validate = ajv.compile(scenarioSchema);

/**
 * Reads and checks a scenario file (YAML; JSON is YAML too) and fills in the schema's defaults. Throws
 * ScenarioError naming file, line and path.
 */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([
      { file, line: 0, path: '(file)', message: `cannot be read: ${(e as Error).message}` },
    ]);
  }
  return parseScenario(text, file);
}

function pathText(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out || '(top level)';
}

function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function parseScenario(text: string, file: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => ({
        file,
        line: lc.linePos(e.pos[0]).line,
        path: '(syntax)',
        message: e.message.split('\n')[0]!,
      })),
    );
  }
  let value: unknown;
  try {
    // maxAliasCount bounds alias expansion: a "billion laughs" file fails here, not in memory.
    value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    // An alias inside its own anchor (`a: &a [*a]`) makes a cycle, which no scenario can mean.
    JSON.stringify(value);
  } catch (e) {
    // An unresolved or excessive alias: a mistake in the file, with the line it is on.
    const first = (e as Error).message.split('\n')[0]!;
    const message = /circular/i.test(first) ? 'an alias refers to its own anchor (a cycle)' : first;
    const alias = /: (\S+)$/.exec(message)?.[1];
    const at = alias ? text.split('\n').findIndex((l) => l.includes(`*${alias}`)) : -1;
    throw new ScenarioError([{ file, line: at >= 0 ? at + 1 : 1, path: '(yaml)', message }]);
  }
  // YAML reads `lorawan_version: 1.1` as a number; people write it that way, so accept it.
  const fleets = (value as { fleets?: { lorawan_version?: unknown }[] } | null)?.fleets;
  if (Array.isArray(fleets))
    for (const f of fleets)
      if (typeof f?.lorawan_version === 'number') f.lorawan_version = String(f.lorawan_version);
  const lineOf = (segments: (string | number)[]): number => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
      // Prefer the key's line for a map entry: that is where the field is written.
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
    return 1;
  };
  // As written, for messages: validation fills in the schema's defaults.
  const written = structuredClone(value) as { fleets?: Record<string, unknown>[] };
  const problems: ScenarioProblem[] = [];
  if (!validate(value)) problems.push(...schemaProblems(validate.errors ?? [], file, lineOf));
  if (problems.length === 0) problems.push(...deviceFiles(value as Scenario, file, lineOf));
  if (problems.length === 0) problems.push(...semanticProblems(value as Scenario, written, file, lineOf));
  if (problems.length > 0) throw new ScenarioError(problems);
  return value as Scenario;
}

function schemaProblems(
  errors: ErrorObject[],
  file: string,
  lineOf: (p: (string | number)[]) => number,
): ScenarioProblem[] {
  // oneOf/anyOf produce one error per branch: report the branch-level "expected" once per path instead.
  const byPath = new Map<string, ScenarioProblem>();
  const segmentsOf = (instancePath: string) =>
    instancePath
      .split('/')
      .slice(1)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  for (const e of errors) {
    let segments = segmentsOf(e.instancePath);
    let message: string;
    const expected = (e.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'];
    switch (e.keyword) {
      case 'required':
        segments = [...segments, (e.params as { missingProperty: string }).missingProperty];
        message = 'required field is missing';
        break;
      case 'additionalProperties': {
        const prop = (e.params as { additionalProperty: string }).additionalProperty;
        segments = [...segments, prop];
        message = `unknown field (allowed: ${Object.keys(
          (e.parentSchema as { properties?: object }).properties ?? {},
        )
          .filter((k) => k !== '$schema')
          .join(', ')})`;
        break;
      }
      case 'oneOf':
      case 'anyOf':
        message = `expected ${expected ?? 'one of the allowed forms'}, got ${got(e.data)}`;
        break;
      default:
        message = `expected ${expected ?? describeKeyword(e)}, got ${got(e.data)}`;
    }
    const key = pathText(segments);
    // Within a oneOf, branch errors are less useful than the oneOf's own summary.
    const existing = byPath.get(key);
    if (existing && (e.keyword === 'oneOf' || e.keyword === 'anyOf')) existing.message = message;
    else if (!existing) byPath.set(key, { file, line: lineOf(segments), path: key, message });
  }
  // Drop branch errors under a path that has its own oneOf summary.
  const summaries = errors
    .filter((e) => e.keyword === 'oneOf')
    .map((e) => pathText(segmentsOf(e.instancePath)));
  return [...byPath.values()].filter((p) => !summaries.some((s) => p.path !== s && p.path.startsWith(s)));
}

function describeKeyword(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `a ${String(p.type)}`;
    case 'enum':
      return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `a number ${e.keyword === 'minimum' ? '≥' : '>'} ${String(p.limit)}`;
    case 'maximum':
      return `a number ≤ ${String(p.limit)}`;
    case 'minItems':
      return `at least ${String(p.limit)} item(s)`;
    case 'pattern':
      return `text matching ${String(p.pattern)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Checks the schema cannot express. */
/** Reads each fleet's `devices_file` (relative to the scenario) into its rows; `count` follows. */
function deviceFiles(
  s: Scenario,
  file: string,
  lineOf: (p: (string | number)[]) => number,
): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  s.fleets.forEach((f, i) => {
    if (f.devices_file === undefined) {
      if (f.count === undefined)
        out.push({
          file,
          line: lineOf(['fleets', i]),
          path: `fleets[${i}].count`,
          message: 'required field is missing',
        });
      return;
    }
    const csv = isAbsolute(f.devices_file) ? f.devices_file : join(dirname(file), f.devices_file);
    const { rows, problems } = readDevicesCsv(csv, {
      activation: f.activation ?? 'otaa',
      version: f.lorawan_version ?? '1.0.3',
    });
    out.push(...problems);
    if (problems.length > 0) return;
    if (f.count !== undefined && f.count !== rows.length)
      out.push({
        file,
        line: lineOf(['fleets', i, 'count']),
        path: `fleets[${i}].count`,
        message: `expected the number of devices in ${f.devices_file} (${rows.length}), got ${f.count}`,
      });
    f.count = rows.length;
    f.rows = rows;
  });
  return out;
}

function semanticProblems(
  s: Scenario,
  written: { fleets?: Record<string, unknown>[] },
  file: string,
  lineOf: (p: (string | number)[]) => number,
): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const at = (path: (string | number)[], message: string) =>
    out.push({ file, line: lineOf(path), path: pathText(path), message });
  s.thresholds.forEach((t, i) => {
    // The schema has checked the grammar already.
    const metric = parseThreshold(t).metric;
    if (!isMetricName(metric))
      at(['thresholds', i], `expected a metric (${METRIC_NAMES.join(', ')}), got ${JSON.stringify(metric)}`);
  });
  if (!frequencyPlanIds().includes(s.frequency_plan)) {
    at(
      ['frequency_plan'],
      `expected a frequency plan id of The Things Stack (e.g. EU_863_870_TTN), got ${JSON.stringify(s.frequency_plan)}`,
    );
  }
  s.fleets.forEach((f, i) => {
    if (f.class === 'B' && !s.gateways.beacon)
      at(
        ['fleets', i, 'class'],
        'expected gateways that beacon (gateways.beacon: true) for class B, got none',
      );
  });
  const t = s.target;
  if (t?.type === 'tts') {
    if (!t.url && !t.tenant && !t.ttn)
      at(['target'], 'expected url, tenant or ttn for a tts target, got none');
    if (!t.application_id)
      at(['target', 'application_id'], 'expected an application id for a tts target, got nothing');
    if (!t.api_key_env)
      at(['target', 'api_key_env'], 'expected the environment variable holding the API key, got nothing');
    if (!t.gateway_udp)
      at(['target', 'gateway_udp'], 'expected host:port of the gateway server, got nothing');
    if (t.gateway_lns_ca !== undefined) {
      const ca = isAbsolute(t.gateway_lns_ca) ? t.gateway_lns_ca : join(dirname(file), t.gateway_lns_ca);
      try {
        if (!readFileSync(ca, 'utf8').includes('-----BEGIN CERTIFICATE-----'))
          at(['target', 'gateway_lns_ca'], `expected a PEM certificate in ${ca}, got none`);
        else t.gateway_lns_ca = ca;
      } catch (e) {
        at(['target', 'gateway_lns_ca'], `cannot read ${ca}: ${(e as Error).message}`);
      }
    }
    if (s.gateways.protocol !== 'semtech-udp' && !t.gateway_lns)
      at(
        ['target', 'gateway_lns'],
        `expected the gateway server's Basics Station URL (ws:// or wss://) for protocol ${s.gateways.protocol}, got nothing`,
      );
    if (s.time === 'virtual')
      at(['time'], 'expected wall for a tts target (a real network runs in real time), got "virtual"');
  }
  const full = fullUplinkRate(s);
  s.load.stages.forEach((st, i) => {
    const rate = /^(\d+(?:\.\d+)?)\/s$/.exec(st.target);
    if (rate && Number(rate[1]) > full * 1.000001)
      at(
        ['load', 'stages', i, 'target'],
        `expected an uplink rate the fleets reach (at most ${Number(full.toFixed(3))}/s with every device active), got "${st.target}"`,
      );
    if (!rate && Number(st.target.replace('%', '')) > 100)
      at(['load', 'stages', i, 'target'], `expected a share of at most 100%, got "${st.target}"`);
  });
  const names = new Set<string>();
  const planId = s.frequency_plan;
  const region = frequencyPlanIds().includes(planId) ? frequencyPlan(planId).region : undefined;
  s.fleets.forEach((f, i) => {
    if (region && f.data_rate !== undefined && region.dataRates[f.data_rate] === undefined)
      at(
        ['fleets', i, 'data_rate'],
        `expected a data rate ${region.name} defines (${region.dataRates.flatMap((d, n) => (d ? [n] : [])).join(', ')}), got ${f.data_rate}`,
      );
    if (names.has(f.name))
      at(['fleets', i, 'name'], `expected a name no other fleet has, got ${JSON.stringify(f.name)}`);
    names.add(f.name);
    if (f.payload?.type === 'hex' && f.payload.value === undefined)
      at(['fleets', i, 'payload'], 'expected value for a hex payload, got nothing');
    // Derived ABP DevAddrs hold the fleet's place (4 bits) and the device's index (20 bits).
    if (f.activation === 'abp' && i >= 16)
      at(
        ['fleets', i, 'activation'],
        `expected an ABP fleet among the first 16 fleets (derived DevAddrs), got fleet ${i + 1}`,
      );
    if (f.activation === 'abp' && f.count > 0x100000 && f.devices_file === undefined)
      at(
        ['fleets', i, 'count'],
        `expected at most 1048576 devices in an ABP fleet (derived DevAddrs), got ${f.count}`,
      );
    if (f.model === 'compact') {
      // What a compact fleet does not model is refused, not silently dropped.
      const why = 'for a compact fleet (ABP, class A, unconfirmed uplinks; use model: firmware for more)';
      if (f.activation !== 'abp')
        at(['fleets', i, 'activation'], `expected abp ${why}, got ${JSON.stringify(f.activation)}`);
      if (f.class !== 'A') at(['fleets', i, 'class'], `expected A ${why}, got ${JSON.stringify(f.class)}`);
      if (f.confirmed > 0) at(['fleets', i, 'confirmed'], `expected 0 ${why}, got ${f.confirmed}`);
      if (f.distribution === 'poisson')
        at(['fleets', i, 'distribution'], `expected fixed or uniform ${why}, got "poisson"`);
      if (f.payload !== undefined && f.payload.type !== 'counter')
        at(
          ['fleets', i, 'payload'],
          `expected {type: counter, size} ${why}, got ${JSON.stringify(f.payload.type)}`,
        );
      for (const k of ['adr', 'downlinks', 'link_check_every', 'device_time_every'] as const)
        if (f[k] !== undefined)
          at(['fleets', i, k], `expected nothing ${why}, got ${JSON.stringify(written.fleets?.[i]?.[k])}`);
    }
  });
  return out;
}
