/**
 * The Things Stack's JSON rules for the messages lorafleet exchanges with it (TTS `pkg/jsonpb`, the
 * generated `*_json.pb.go` marshalers; tts-api.md §1.0 and Part 4):
 * - wrapper types (`RxDelayValue`, `BoolValue`, `FrequencyValue`, …) are the bare value, never `{value}`;
 * - 64-bit integers are written as strings (numbers are accepted on input);
 * - EUIs, DevAddrs and keys are hex (base64 accepted on input), other bytes base64;
 * - enums are written as names or numbers, as each enum's `thethings.json.enum` option says;
 * - zero values (0, false, "", empty lists) are omitted from everything TTS writes.
 *
 * One table serves both sides: the embedded network refuses what TTS refuses (with TTS's unmarshal
 * error text), and a test holds every request body lorafleet builds to the stricter form TTS writes.
 */

export type JsonKind =
  /** An enum TTS writes as a number and reads as number or name (RxDelay, DataRateIndex, …). */
  | 'enum-number'
  /** An enum TTS writes as a name (MACVersion, PHYVersion, Class, …). */
  | 'enum-name'
  | 'bool'
  | 'uint32'
  | 'uint64'
  | 'float'
  /** google.protobuf.Duration: a string such as "5s". */
  | 'duration'
  | 'hex-eui'
  | 'hex-devaddr'
  | 'hex-key'
  | 'string'
  | 'uint64-list';

/** End-device fields whose JSON form matters, by path below `end_device`. */
export const END_DEVICE_FIELDS: Readonly<Record<string, JsonKind>> = {
  'ids.device_id': 'string',
  'ids.dev_eui': 'hex-eui',
  'ids.join_eui': 'hex-eui',
  'ids.dev_addr': 'hex-devaddr',
  network_server_address: 'string',
  application_server_address: 'string',
  join_server_address: 'string',
  lorawan_version: 'enum-name',
  lorawan_phy_version: 'enum-name',
  frequency_plan_id: 'string',
  supports_join: 'bool',
  supports_class_b: 'bool',
  supports_class_c: 'bool',
  multicast: 'bool',
  skip_payload_crypto: 'bool',
  'root_keys.app_key.key': 'hex-key',
  'root_keys.nwk_key.key': 'hex-key',
  'session.dev_addr': 'hex-devaddr',
  'session.keys.f_nwk_s_int_key.key': 'hex-key',
  'session.keys.s_nwk_s_int_key.key': 'hex-key',
  'session.keys.nwk_s_enc_key.key': 'hex-key',
  'session.keys.app_s_key.key': 'hex-key',
  'session.last_f_cnt_up': 'uint32',
  'session.last_n_f_cnt_down': 'uint32',
  'session.last_a_f_cnt_down': 'uint32',
  // MACSettings: every optional field is a wrapper type, written bare (Part 4, first point).
  'mac_settings.class_b_timeout': 'duration',
  'mac_settings.class_c_timeout': 'duration',
  'mac_settings.ping_slot_periodicity': 'enum-number',
  'mac_settings.ping_slot_data_rate_index': 'enum-number',
  'mac_settings.ping_slot_frequency': 'uint64',
  'mac_settings.beacon_frequency': 'uint64',
  'mac_settings.rx1_delay': 'enum-number',
  'mac_settings.rx1_data_rate_offset': 'enum-number',
  'mac_settings.rx2_data_rate_index': 'enum-number',
  'mac_settings.rx2_frequency': 'uint64',
  'mac_settings.factory_preset_frequencies': 'uint64-list',
  'mac_settings.max_duty_cycle': 'enum-number',
  'mac_settings.supports_32_bit_f_cnt': 'bool',
  'mac_settings.use_adr': 'bool',
  'mac_settings.adr_margin': 'float',
  'mac_settings.resets_f_cnt': 'bool',
  'mac_settings.status_time_periodicity': 'duration',
  'mac_settings.status_count_periodicity': 'uint32',
  'mac_settings.desired_rx1_delay': 'enum-number',
  'mac_settings.desired_rx1_data_rate_offset': 'enum-number',
  'mac_settings.desired_rx2_data_rate_index': 'enum-number',
  'mac_settings.desired_rx2_frequency': 'uint64',
  'mac_settings.desired_max_duty_cycle': 'enum-number',
  'mac_settings.desired_adr_ack_limit_exponent': 'enum-number',
  'mac_settings.desired_adr_ack_delay_exponent': 'enum-number',
  'mac_settings.desired_ping_slot_data_rate_index': 'enum-number',
  'mac_settings.desired_ping_slot_frequency': 'uint64',
  'mac_settings.desired_beacon_frequency': 'uint64',
  'mac_settings.desired_max_eirp': 'enum-number',
  'mac_settings.uplink_dwell_time': 'bool',
  'mac_settings.downlink_dwell_time': 'bool',
  'mac_settings.schedule_downlinks': 'bool',
};

/** Gateway fields (`gateway` body of the IS). */
export const GATEWAY_FIELDS: Readonly<Record<string, JsonKind>> = {
  'ids.gateway_id': 'string',
  'ids.eui': 'hex-eui',
  gateway_server_address: 'string',
  require_authenticated_connection: 'bool',
  enforce_duty_cycle: 'bool',
  status_public: 'bool',
  location_public: 'bool',
  schedule_downlink_late: 'bool',
};

export interface JsonProblem {
  /** Full path, as TTS names it in its unmarshal error ("end_device.mac_settings.rx1_delay"). */
  path: string;
  /** `refused`: TTS answers 400; `form`: TTS accepts it but never writes it so (lorafleet should not). */
  severity: 'refused' | 'form';
  /** TTS's wording for a refusal, or what the written form should be. */
  message: string;
}

const jsonType = (v: unknown): string =>
  v === null ? 'Null' : Array.isArray(v) ? 'Array' : typeof v === 'object' ? 'Object' : typeof v;

/** What TTS (jsoniter under the generated unmarshalers) says of a value of the wrong JSON type. */
function refusal(kind: JsonKind, v: unknown): string | undefined {
  const t = jsonType(v);
  switch (kind) {
    case 'bool':
      return typeof v === 'boolean' ? undefined : `ReadBool: expect t or f, but found ${firstChar(v)}`;
    case 'enum-number':
    case 'enum-name':
      return typeof v === 'number' || typeof v === 'string' ? undefined : `invalid value type for enum: ${t}`;
    case 'uint32':
    case 'float':
      return typeof v === 'number' ? undefined : `ReadNumber: unexpected value type: ${t}`;
    case 'uint64':
      return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))
        ? undefined
        : `ReadUint64: unexpected value type: ${t}`;
    case 'uint64-list':
      if (!Array.isArray(v)) return `ReadArray: expect [ or n, but found ${firstChar(v)}`;
      return v.map((x) => refusal('uint64', x)).find((m) => m !== undefined);
    case 'duration':
    case 'string':
    case 'hex-eui':
    case 'hex-devaddr':
    case 'hex-key':
      return typeof v === 'string' ? undefined : `ReadString: expects " or n, but found ${firstChar(v)}`;
  }
}

function firstChar(v: unknown): string {
  return (JSON.stringify(v) ?? 'u').charAt(0);
}

const HEX_LENGTH: Partial<Record<JsonKind, number>> = { 'hex-eui': 16, 'hex-devaddr': 8, 'hex-key': 32 };

/** How TTS itself would write the value, when lorafleet's form differs though TTS would read it. */
function formProblem(kind: JsonKind, v: unknown): string | undefined {
  const hexLength = HEX_LENGTH[kind];
  if (hexLength !== undefined) {
    return typeof v === 'string' && new RegExp(`^[0-9A-F]{${hexLength}}$`).test(v)
      ? undefined
      : `expected ${hexLength} uppercase hex digits`;
  }
  if (kind === 'uint64') return typeof v === 'string' ? undefined : 'a 64-bit integer is written as a string';
  if (kind === 'uint64-list' && Array.isArray(v) && v.some((x) => typeof x !== 'string'))
    return 'a 64-bit integer is written as a string';
  if (kind === 'enum-name' && typeof v !== 'string') return 'this enum is written by name';
  if (kind === 'enum-number' && typeof v !== 'number') return 'this enum is written as a number';
  return undefined;
}

function valueAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every place where `doc` breaks TTS's JSON rules for the given field table. */
export function checkTtsJson(
  doc: unknown,
  fields: Readonly<Record<string, JsonKind>>,
  prefix: string,
): JsonProblem[] {
  const out: JsonProblem[] = [];
  for (const [path, kind] of Object.entries(fields)) {
    const v = valueAt(doc, path);
    if (v === undefined) continue;
    const full = `${prefix}.${path}`;
    const refused = refusal(kind, v);
    if (refused !== undefined) {
      out.push({ path: full, severity: 'refused', message: refused });
      continue;
    }
    const form = formProblem(kind, v);
    if (form !== undefined) out.push({ path: full, severity: 'form', message: form });
  }
  return out;
}

/** TTS's 400 text for the first refused field: `unmarshal error at path "…": …`. */
export function unmarshalMessage(p: JsonProblem): string {
  return `unmarshal error at path "${p.path}": ${p.message}`;
}

/** Reads a wrapper field that may arrive bare (TTS's form) as a number; enum names end in their value. */
export function wrapperNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /(\d+)$/.exec(v);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

/**
 * Drops a field at its zero value (0, false, "", null, an empty list) from JSON.stringify's output, as
 * proto3 JSON does: an uplink with FCnt 0 has no `f_cnt`. Objects (messages) stay, even when empty;
 * list elements are kept whatever they are. One pass in the writer, no copy of the message.
 */
function zeroOmitter(this: unknown, _key: string, v: unknown): unknown {
  if (Array.isArray(this)) return v;
  if (v === 0 || v === false || v === '' || v === null) return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  return v;
}

/** `value` as The Things Stack writes it: JSON without zero-valued fields. */
export function ttsJson(value: unknown): string {
  return JSON.stringify(value, zeroOmitter);
}

/**
 * `JSON.parse(ttsJson(value))` without the text between: a copy of JSON data with zero-valued fields
 * dropped, as a client of TTS reads it. What the embedded network hands a run in process (one copy
 * an uplink, taken when it is published, so that later changes do not reach the reader).
 */
export function ttsCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    // JSON has no -0, NaN or Infinity: 0 and null.
    if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
    return typeof value === 'string' || typeof value === 'boolean' ? value : undefined;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = ttsCopy(value[i]) ?? null;
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value)
    return (JSON.parse(JSON.stringify([value], zeroOmitter)) as unknown[])[0]; // a Date, a Buffer: as JSON has them
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === 0 || v === false || v === '' || v === null || v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    const c = ttsCopy(v);
    if (c === undefined) continue;
    // JSON.parse makes `__proto__` an own field; an assignment would set the prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
