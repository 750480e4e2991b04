import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../simulator/scenario/load.js';
import { SCENARIO_TYPES_FILE, scenarioTypes } from '../../scripts/schemas.js';

type SchemaNode = { default?: unknown; properties?: Record<string, SchemaNode>; $ref?: string };
const schema = JSON.parse(readFileSync('schema/scenario.schema.json', 'utf8')) as SchemaNode & {
  definitions: Record<string, SchemaNode>;
};
const deref = (n: SchemaNode): SchemaNode =>
  n.$ref ? { ...schema.definitions[n.$ref.split('/').pop()!]!, ...n } : n;

/** Every [path, default] the schema declares under `node`, as they apply to a loaded scenario. */
function defaultsOf(node: SchemaNode, path: string[] = []): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  for (const [k, v] of Object.entries(deref(node).properties ?? {})) {
    const child = deref(v);
    if (child.default !== undefined) out.push([[...path, k], child.default]);
    if (child.properties) out.push(...defaultsOf(child, [...path, k]));
  }
  return out;
}
const at = (v: unknown, path: string[]) => path.reduce((o, k) => (o as Record<string, unknown>)?.[k], v);
/** An object default holds what it says; the defaults inside it are filled in too. */
const expectDefault = (v: unknown, d: unknown, what: string) =>
  d !== null && typeof d === 'object' && !Array.isArray(d)
    ? expect(v, what).toMatchObject(d)
    : expect(v, what).toEqual(d);

describe('the scenario schema as the one source of the scenario types', () => {
  it('generates simulator/scenario/schema-types.ts, which is current (npm run schemas)', async () => {
    expect(await scenarioTypes()).toBe(readFileSync(SCENARIO_TYPES_FILE, 'utf8'));
  });

  it('makes a field with a default required in the loaded type', () => {
    const types = readFileSync(SCENARIO_TYPES_FILE, 'utf8');
    expect(types).toMatch(/\n {2}duration: Duration;/);
    expect(types).toContain("\n  lorawan_version: '1.0.2' | '1.0.3' | '1.0.4' | '1.1';");
    // No default: stays optional.
    expect(types).toMatch(/\n {2}data_rate\?: number;/);
  });

  it('fills in every default the schema declares, and keeps what the file says', () => {
    const s = parseScenario(
      'fleets:\n  - { name: aa, count: 1, downlinks: { per_device: 1 } }\n  - { name: bb, count: 2, interval: 5s }\n',
      'defaults.yaml',
    );
    const top = defaultsOf(schema);
    const fleet = defaultsOf(schema.definitions.fleet!);
    const downlinks = defaultsOf(schema.definitions.downlinks!);
    // Enough defaults that a regression dropping `useDefaults` or a default is seen.
    expect(top.length).toBeGreaterThanOrEqual(15);
    for (const [path, value] of top) expectDefault(at(s, path), value, path.join('.'));
    for (const [path, value] of fleet.filter(([p]) => p.length === 1 && p[0] !== 'interval'))
      for (const f of s.fleets) expectDefault(at(f, path), value, `fleets.${path.join('.')}`);
    expect(s.fleets[1]!.interval).toBe('5s');
    for (const [path, value] of downlinks.filter(([p]) => p[0] !== 'per_device'))
      expectDefault(at(s.fleets[0]!.downlinks, path), value, `downlinks.${path.join('.')}`);
    expect(s.fleets[0]!.downlinks!.per_device).toBe(1);
    // An object default is not shared between scenarios (ajv copies it).
    const again = parseScenario('fleets: [{ name: cc, count: 1 }]\n', 'again.yaml');
    again.gateways.placement.spacing = 1;
    expect(parseScenario('fleets: [{ name: cc, count: 1 }]\n', 'again.yaml').gateways.placement.spacing).toBe(
      2000,
    );
  });
});
