// Writes what derives from the project's two contracts, `npm run schemas`; a test checks both are current:
// - schema/report.schema.json, from its one source, the RunReport type (simulator/report/types.ts);
// - simulator/scenario/schema-types.ts, the TypeScript types of a loaded scenario, from its one source,
//   schema/scenario.schema.json (the loader applies the schema's defaults, so a field with a default is
//   never missing from what it returns).
import { readFileSync, writeFileSync } from 'node:fs';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { format, resolveConfig } from 'prettier';
import { createGenerator } from 'ts-json-schema-generator';

export const SCENARIO_TYPES_FILE = 'simulator/scenario/schema-types.ts';

/** schema/report.schema.json's content, from the TypeScript type. */
export function reportSchema(): string {
  const schema = createGenerator({
    path: 'simulator/report/types.ts',
    tsconfig: 'tsconfig.json',
    type: 'RunReport',
    skipTypeCheck: true,
    additionalProperties: false,
  }).createSchema('RunReport');
  const out = {
    ...schema,
    $id: 'https://lorafleet.dev/schema/report.schema.json',
    title: 'lorafleet run report',
    description: 'What `lorafleet run --report FILE` writes (generated from simulator/report/types.ts).',
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

type Node = Record<string, unknown>;

/** The scenario schema as the loader's result: a property with a default is required. */
function asLoaded(n: unknown, top = true): unknown {
  if (Array.isArray(n)) return n.map((v) => asLoaded(v, false));
  if (n === null || typeof n !== 'object') return n;
  const src = n as Node;
  // A $ref with siblings would become a type of its own (Placement1); the referenced type is the one.
  if (typeof src.$ref === 'string') return { $ref: src.$ref };
  const out: Node = {};
  for (const [k, v] of Object.entries(src)) {
    if (top && (k === 'title' || k === '$id')) continue;
    out[k] = k === 'default' || k === 'enum' ? v : asLoaded(v, false);
  }
  const props = out.properties as Record<string, Node> | undefined;
  if (props) {
    const required = new Set((out.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries((src.properties as Record<string, Node>) ?? {}))
      if (v && 'default' in v) required.add(k);
    if (required.size > 0) out.required = [...required];
  }
  return out;
}

/** simulator/scenario/schema-types.ts's content, from the scenario schema. */
export async function scenarioTypes(): Promise<string> {
  const schema = JSON.parse(readFileSync('schema/scenario.schema.json', 'utf8')) as unknown;
  const ts = await compile(asLoaded(schema) as JSONSchema, 'Scenario', {
    bannerComment:
      '// Generated from schema/scenario.schema.json by `npm run schemas`: do not edit.\n' +
      '// A loaded scenario: the loader has applied the schema defaults, so defaulted fields are present.',
    format: false,
    ignoreMinAndMaxItems: true,
    additionalProperties: false,
  });
  const options = (await resolveConfig(SCENARIO_TYPES_FILE)) ?? {};
  return format(ts, { ...options, parser: 'typescript' });
}

if (process.argv[1]?.endsWith('schemas.ts')) {
  writeFileSync('schema/report.schema.json', reportSchema());
  writeFileSync(SCENARIO_TYPES_FILE, await scenarioTypes());
}
