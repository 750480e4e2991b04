// Writes the JSON Schema of the JSON report from its one source, the RunReport type
// (simulator/report/types.ts): `npm run schemas`. A test checks the file is current.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';

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

if (process.argv[1]?.endsWith('schemas.ts')) writeFileSync('schema/report.schema.json', reportSchema());
