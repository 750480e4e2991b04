import { readFileSync } from 'node:fs';

/** The scenario's JSON Schema (schema/scenario.schema.json): the one description of a scenario file. */
export const scenarioSchema = JSON.parse(
  readFileSync(new URL('../../schema/scenario.schema.json', import.meta.url), 'utf8'),
) as { properties: Record<string, { items?: { pattern?: string } }> } & Record<string, unknown>;
