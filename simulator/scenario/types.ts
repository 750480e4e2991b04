import type { DeviceRow } from './devices-csv.js';
import type { Fleet, Payload, Scenario as SchemaScenario } from './schema-types.js';

// The scenario's types are generated from its schema (schema/scenario.schema.json), the one description
// of a scenario file; here only what the loader adds to it.
export type { Placement, Downlinks, Gateways, Load, Stage, Target } from './schema-types.js';
export type PayloadSpec = Payload;

/** A fleet as loaded: `count` is known (from its `devices_file` when not written). */
export interface FleetSpec extends Fleet {
  count: number;
  /** The CSV's rows, read by the loader (not written in scenarios). */
  rows?: DeviceRow[];
}

/** A scenario as `loadScenario` returns it: checked, with the schema's defaults applied. */
export interface Scenario extends Omit<SchemaScenario, 'fleets'> {
  fleets: FleetSpec[];
}
