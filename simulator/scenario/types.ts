import type { DeviceRow } from './devices-csv.js';
/** A scenario file, as the schema (schema/scenario.schema.json) describes it. */
export interface Placement {
  type: 'grid' | 'random' | 'list';
  spacing?: number;
  radius?: number;
  positions?: ({ x: number; y: number; z?: number } | { lat: number; lon: number; alt?: number })[];
}

export interface PayloadSpec {
  type: 'random' | 'hex' | 'counter' | 'template';
  size?: number;
  value?: string;
  fields?: {
    name?: string;
    type: 'uint8' | 'uint16' | 'int16' | 'uint32' | 'float32';
    min?: number;
    max?: number;
  }[];
}

export interface FleetSpec {
  name: string;
  count: number;
  /** Devices from a CSV file (relative to the scenario); `count` defaults to its rows. */
  devices_file?: string;
  /** The CSV's rows, read by the loader (not written in scenarios). */
  rows?: DeviceRow[];
  /** `firmware` (default): a VirtualDevice each; `compact`: a CompactFleet (ABP, class A, unconfirmed). */
  model?: 'firmware' | 'compact';
  activation?: 'otaa' | 'abp';
  lorawan_version?: '1.0.2' | '1.0.3' | '1.0.4' | '1.1';
  class?: 'A' | 'C';
  data_rate?: number;
  tx_power?: number;
  adr?: boolean;
  positions?: Placement;
  interval?: string;
  distribution?: 'fixed' | 'uniform' | 'poisson';
  jitter?: string;
  confirmed?: number;
  f_port?: number;
  payload?: PayloadSpec;
  join_eui?: string;
  link_check_every?: number;
  device_time_every?: number;
  downlinks?: {
    per_device?: number;
    confirmed?: boolean;
    f_port?: number;
    payload?: PayloadSpec;
    after?: string;
  };
}

export interface Scenario {
  name?: string;
  description?: string;
  seed?: number | string;
  duration?: string;
  drain?: string;
  time?: 'wall' | 'virtual';
  frequency_plan?: string;
  target?: {
    type?: 'embedded' | 'tts';
    url?: string;
    tenant?: string;
    cluster?: string;
    ttn?: boolean;
    application_id?: string;
    user_id?: string;
    organization_id?: string;
    api_key_env?: string;
    gateway_udp?: string;
    mqtt_url?: string;
    /** Devices registered at a time (default 32). */
    provisioning_concurrency?: number;
  };
  gateways?: {
    count: number;
    placement?: Placement;
    antenna_gain?: number;
    eui_prefix?: string;
    enforce_duty_cycle?: boolean;
  };
  fleets: FleetSpec[];
  load?: { join_window?: string; stages?: { duration: string; target: string }[] };
  thresholds?: string[];
  teardown?: 'keep' | 'delete';
}
