// Generated from schema/scenario.schema.json by `npm run schemas`: do not edit.
// A loaded scenario: the loader has applied the schema defaults, so defaulted fields are present.

/**
 * A duration: a number and a unit, ms, s, m or h ("500ms", "30s", "5m", "1h").
 */
export type Duration = string;
export type Position =
  | {
      x: number;
      y: number;
      z?: number;
    }
  | {
      lat: number;
      lon: number;
      alt?: number;
    };
export type Hex = string;
export type Eui = string;

/**
 * A load or behaviour test for a LoRaWAN network: the target, gateways, fleets of devices, load stages, downlinks and pass/fail thresholds.
 */
export interface Scenario {
  $schema?: string;
  /**
   * Names state files, the application (lorafleet-<name>) and gateway IDs: lowercase letters, digits and single dashes.
   */
  name: string;
  description?: string;
  /**
   * Everything random (EUIs, keys, positions, timing) derives from it.
   */
  seed: number | string;
  duration: Duration;
  drain: Duration;
  /**
   * virtual runs the scenario as fast as the machine allows (embedded target only).
   */
  time: 'wall' | 'virtual';
  /**
   * The Things Stack frequency plan id.
   */
  frequency_plan: string;
  target: Target;
  gateways: Gateways;
  /**
   * @minItems 1
   */
  fleets: Fleet[];
  load: Load;
  thresholds: string[];
  teardown: 'keep' | 'delete';
  /**
   * How the air behaves.
   */
  radio: {
    /**
     * Frames that overlap in time on one frequency and spreading factor at a receiver destroy each other, unless one is 6 dB stronger (capture). Off: every frame above the noise is received.
     */
    collisions: boolean;
  };
}
export interface Target {
  type: 'embedded' | 'tts';
  url?: string;
  tenant?: string;
  /**
   * The Things Cloud cluster of a tenant or ttn target (eu1, nam1, au1); default eu1.
   */
  cluster?: string;
  ttn?: boolean;
  /**
   * Default lorafleet-<name>.
   */
  application_id?: string;
  /**
   * The user owning the application and gateways, unless organization_id is given.
   */
  user_id: string;
  organization_id?: string;
  api_key_env?: string;
  gateway_udp?: string;
  /**
   * Where Basics Station gateways connect (they ask /router-info there first); they authenticate with the target's API key.
   */
  gateway_lns?: string;
  /**
   * The CA certificate Basics Station gateways trust for a wss:// gateway_lns (as a station's tc.trust); the system's CAs when not given.
   */
  gateway_lns_ca?: string;
  mqtt_url?: string;
  /**
   * Devices registered at a time (each IS, JS, NS, AS in turn).
   */
  provisioning_concurrency: number;
}
export interface Gateways {
  count: number;
  placement: Placement;
  antenna_gain: number;
  /**
   * The first 4 bytes of gateway EUIs; default AA55 and 2 bytes derived from the seed.
   */
  eui_prefix?: string;
  /**
   * Registered on the target: whether its gateway server enforces the band's duty cycle on downlinks (as TTS does by default).
   */
  enforce_duty_cycle: boolean;
  /**
   * GPS-locked gateways that send class B beacons every 128 s on the region's beacon channel.
   */
  beacon: boolean;
  /**
   * How the gateways reach the network: the Semtech UDP packet forwarder, LoRa Basics Station (the LNS protocol over WebSocket), or alternate (even-numbered gateways UDP, odd-numbered Basics Station).
   */
  protocol: 'semtech-udp' | 'basic-station' | 'alternate';
}
export interface Placement {
  type: 'grid' | 'random' | 'list';
  spacing?: number;
  radius?: number;
  positions?: Position[];
}
export interface Fleet {
  /**
   * Device IDs are <name>-<index>, which TTS accepts only with 3 to 36 characters: 2 to 28 here.
   */
  name: string;
  count?: number;
  /**
   * CSV with a header row: dev_eui, and the keys of the fleet's activation (app_key, nwk_key for 1.1 OTAA; dev_addr, nwk_s_key, app_s_key for 1.0 ABP; f_nwk_s_int_key, s_nwk_s_int_key, nwk_s_enc_key, app_s_key for 1.1 ABP); optional device_id, join_eui, x and y (metres). count defaults to its rows.
   */
  devices_file?: string;
  /**
   * firmware: one full device each, with joins, MAC commands, ADR, confirmed traffic and class C. compact: ABP class A devices with unconfirmed uplinks kept in typed arrays, about 60 bytes each, for fleets of hundreds of thousands.
   */
  model: 'firmware' | 'compact';
  activation: 'otaa' | 'abp';
  lorawan_version: '1.0.2' | '1.0.3' | '1.0.4' | '1.1';
  /**
   * B: the devices follow the gateways' beacons and open ping slots (gateways.beacon must be on).
   */
  class: 'A' | 'B' | 'C';
  /**
   * Class B: announced in PingSlotInfoReq and registered on the target.
   */
  ping_slot_periodicity: number;
  /**
   * The data rate of uplinks; default the region's default data rate.
   */
  data_rate?: number;
  tx_power?: number;
  adr?: boolean;
  positions?: Placement;
  interval: Duration;
  distribution: 'fixed' | 'uniform' | 'poisson';
  jitter?: Duration;
  confirmed: number;
  f_port: number;
  payload?: Payload;
  join_eui?: Eui;
  link_check_every?: number;
  device_time_every?: number;
  downlinks?: Downlinks;
}
export interface Payload {
  type: 'random' | 'hex' | 'counter' | 'template';
  size?: number;
  value?: Hex;
  /**
   * @minItems 1
   */
  fields?: {
    name?: string;
    type: 'uint8' | 'uint16' | 'int16' | 'uint32' | 'float32';
    min?: number;
    max?: number;
  }[];
}
export interface Downlinks {
  per_device: number;
  confirmed: boolean;
  f_port: number;
  payload: Payload;
  after: Duration;
}
export interface Load {
  join_window: Duration;
  stages: Stage[];
}
export interface Stage {
  duration: Duration;
  target: string;
}
