import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../simulator/scenario/errors.js';
import { loadScenario, parseScenario } from '../../simulator/scenario/load.js';
import { parseDuration } from '../../simulator/scenario/duration.js';
import { evaluate, parseThreshold } from '../../simulator/scenario/thresholds.js';

const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

const BASE = `name: tt
fleets:
  - name: ff
    count: 2
`;

/** [what is wrong, YAML, expected message (regex) including file:line and path]. */
const BROKEN: [string, string, RegExp][] = [
  [
    'interval not a duration',
    `${BASE}    interval: 30 sec\n`,
    /^x\.yaml:5 fleets\[0\]\.interval: expected a duration like "30s", got "30 sec"$/m,
  ],
  [
    'ABP fleet too large for derived DevAddrs',
    `name: tt\nfleets:\n  - { name: ff, count: 1048577, activation: abp }\n`,
    /^x\.yaml:3 fleets\[0\]\.count: expected at most 1048576 devices in an ABP fleet \(derived DevAddrs\), got 1048577$/m,
  ],
  [
    'ABP fleet past the sixteenth',
    `name: tt\nfleets:\n${Array.from({ length: 17 }, (_, i) => `  - { name: f${i}, count: 1, activation: abp }`).join('\n')}\n`,
    /^x\.yaml:19 fleets\[16\]\.activation: expected an ABP fleet among the first 16 fleets \(derived DevAddrs\), got fleet 17$/m,
  ],
  [
    'model not known',
    `${BASE}    model: tiny\n`,
    /^x\.yaml:5 fleets\[0\]\.model: expected firmware or compact, got "tiny"$/m,
  ],
  [
    'compact fleet joining',
    `${BASE}    model: compact\n    activation: otaa\n`,
    /^x\.yaml:6 fleets\[0\]\.activation: expected abp for a compact fleet \(ABP, class A, unconfirmed uplinks; use model: firmware for more\), got "otaa"$/m,
  ],
  [
    'compact fleet with confirmed uplinks and downlinks',
    `${BASE}    model: compact\n    activation: abp\n    confirmed: 0.5\n    downlinks: { per_device: 1 }\n`,
    /^x\.yaml:7 fleets\[0\]\.confirmed: expected 0 for a compact fleet .*, got 0\.5$\n^x\.yaml:8 fleets\[0\]\.downlinks: expected nothing for a compact fleet .*, got \{"per_device":1\}$/m,
  ],
  ['no fleets', 'name: tt\n', /^x\.yaml:1 fleets: required field is missing$/m],
  // The name makes file names and IDs: `../..` would leave --state-dir (issue 13 item 6).
  [
    'a name that would leave the state directory',
    'name: ../../etc\nfleets:\n  - { name: ff, count: 1 }\n',
    /^x\.yaml:1 name: expected a name of 2 to 40 lowercase letters, digits and single dashes, got "\.\.\/\.\.\/etc"$/m,
  ],
  [
    'a name TTS would refuse as an application ID',
    'name: Quickstart\nfleets:\n  - { name: ff, count: 1 }\n',
    /^x\.yaml:1 name: expected a name of 2 to 40 .*, got "Quickstart"$/m,
  ],
  [
    'a data rate the region does not define',
    'fleets:\n  - { name: ff, count: 1, data_rate: 15 }\n',
    /^x\.yaml:2 fleets\[0\]\.data_rate: expected a data rate EU863-870 defines \(0, 1, .*\), got 15$/m,
  ],
  ['empty fleets', 'fleets: []\n', /^x\.yaml:1 fleets: expected a list of fleets, got \[\]$/m],
  [
    'fleet without count',
    'fleets:\n  - name: ff\n',
    /^x\.yaml:2 fleets\[0\]\.count: required field is missing$/m,
  ],
  [
    'fleet without name',
    'fleets:\n  - count: 3\n',
    /^x\.yaml:2 fleets\[0\]\.name: required field is missing$/m,
  ],
  [
    'count zero',
    'fleets:\n  - name: ff\n    count: 0\n',
    /^x\.yaml:3 fleets\[0\]\.count: expected a device count from 1, got 0$/m,
  ],
  [
    'count not a number',
    'fleets:\n  - name: ff\n    count: many\n',
    /^x\.yaml:3 fleets\[0\]\.count: expected a device count from 1, got "many"$/m,
  ],
  ['unknown top-level field', `${BASE}colour: red\n`, /^x\.yaml:5 colour: unknown field/m],
  ['unknown fleet field', `${BASE}    colour: red\n`, /^x\.yaml:5 fleets\[0\]\.colour: unknown field/m],
  [
    'bad activation',
    `${BASE}    activation: magic\n`,
    /fleets\[0\]\.activation: expected otaa or abp, got "magic"/,
  ],
  [
    'bad version',
    `${BASE}    lorawan_version: 2.0\n`,
    /fleets\[0\]\.lorawan_version: expected 1\.0\.2, 1\.0\.3, 1\.0\.4 or 1\.1, got "2"/,
  ],
  ['bad class', `${BASE}    class: D\n`, /fleets\[0\]\.class: expected A, B or C, got "D"/],
  [
    'data rate too high',
    `${BASE}    data_rate: 16\n`,
    /fleets\[0\]\.data_rate: expected a data-rate index from 0 to 15, got 16/,
  ],
  [
    'tx power negative',
    `${BASE}    tx_power: -1\n`,
    /fleets\[0\]\.tx_power: expected a TXPower index from 0 to 15, got -1/,
  ],
  [
    'confirmed share above 1',
    `${BASE}    confirmed: 1.5\n`,
    /fleets\[0\]\.confirmed: expected a share of confirmed uplinks from 0 to 1, got 1\.5/,
  ],
  ['FPort 0', `${BASE}    f_port: 0\n`, /fleets\[0\]\.f_port: expected an FPort from 1 to 223, got 0/],
  ['FPort 224', `${BASE}    f_port: 224\n`, /fleets\[0\]\.f_port: expected an FPort from 1 to 223, got 224/],
  [
    'bad distribution',
    `${BASE}    distribution: gaussian\n`,
    /fleets\[0\]\.distribution: expected fixed, uniform or poisson, got "gaussian"/,
  ],
  [
    'bad jitter',
    `${BASE}    jitter: soon\n`,
    /fleets\[0\]\.jitter: expected a duration like "30s", got "soon"/,
  ],
  [
    'payload without type',
    `${BASE}    payload: { size: 4 }\n`,
    /fleets\[0\]\.payload\.type: required field is missing/,
  ],
  [
    'payload size too big',
    `${BASE}    payload: { type: random, size: 300 }\n`,
    /fleets\[0\]\.payload\.size: expected a size from 1 to 222 bytes, got 300/,
  ],
  [
    'hex payload not hex',
    `${BASE}    payload: { type: hex, value: "xyz" }\n`,
    /fleets\[0\]\.payload\.value: expected hexadecimal bytes like "0102A0", got "xyz"/,
  ],
  [
    'hex payload without value',
    `${BASE}    payload: { type: hex }\n`,
    /fleets\[0\]\.payload: expected value for a hex payload, got nothing/,
  ],
  [
    'template field type',
    `${BASE}    payload: { type: template, fields: [{ type: uint64 }] }\n`,
    /fleets\[0\]\.payload\.fields\[0\]\.type: expected uint8, uint16, int16, uint32 or float32, got "uint64"/,
  ],
  [
    'bad join EUI',
    `${BASE}    join_eui: "1234"\n`,
    /fleets\[0\]\.join_eui: expected an EUI of 16 hex digits, got "1234"/,
  ],
  [
    'duplicate fleet names',
    'fleets:\n  - name: ff\n    count: 1\n  - name: ff\n    count: 1\n',
    /^x\.yaml:4 fleets\[1\]\.name: expected a name no other fleet has, got "ff"$/m,
  ],
  [
    'fleet name with capitals',
    'fleets:\n  - name: Meters\n    count: 1\n',
    /fleets\[0\]\.name: expected a name of 2 to 28 lowercase letters, digits and single dashes, got "Meters"/,
  ],
  [
    // "a-0" would be refused by TTS (IDs need 3 characters or more), so the name is refused here, early.
    'one-letter fleet name',
    'fleets:\n  - name: a\n    count: 1\n',
    /^x\.yaml:2 fleets\[0\]\.name: expected a name of 2 to 28 lowercase letters, digits and single dashes, got "a"$/m,
  ],
  [
    'bad duration',
    `duration: forever\n${BASE}`,
    /^x\.yaml:1 duration: expected a duration like "30s", got "forever"$/m,
  ],
  ['bad time mode', `time: fast\n${BASE}`, /^x\.yaml:1 time: expected wall or virtual, got "fast"$/m],
  [
    'gateway count zero',
    `gateways: { count: 0 }\n${BASE}`,
    /gateways\.count: expected a gateway count from 1 to 100000, got 0/,
  ],
  [
    'bad placement',
    `gateways: { count: 2, placement: { type: circle } }\n${BASE}`,
    /gateways\.placement\.type: expected grid, random or list, got "circle"/,
  ],
  [
    'negative spacing',
    `gateways: { count: 2, placement: { type: grid, spacing: -5 } }\n${BASE}`,
    /gateways\.placement\.spacing: expected a spacing in metres above 0, got -5/,
  ],
  [
    'bad position',
    `gateways: { count: 1, placement: { type: list, positions: [{ x: 1 }] } }\n${BASE}`,
    /gateways\.placement\.positions\[0\]: expected a position \{x, y\} in metres or \{lat, lon\}/,
  ],
  [
    'bad target type',
    `target: { type: chirpstack }\n${BASE}`,
    /target\.type: expected embedded or tts, got "chirpstack"/,
  ],
  [
    'tts target incomplete',
    `target: { type: tts, url: "https://tts.example.com" }\n${BASE}`,
    /target\.application_id: expected an application id for a tts target/,
  ],
  [
    'tts target in virtual time',
    `time: virtual\ntarget: { type: tts, url: "https://x.example", application_id: app1, api_key_env: KEY, gateway_udp: "x.example:1700" }\n${BASE}`,
    /^x\.yaml:1 time: expected wall for a tts target/m,
  ],
  [
    'Basics Station gateways and a tts target without its LNS URL',
    `gateways: { count: 2, protocol: alternate }\ntarget: { type: tts, url: "https://x.example", application_id: app1, api_key_env: KEY, gateway_udp: "x.example:1700" }\n${BASE}`,
    /target\.gateway_lns: expected the gateway server's Basics Station URL \(ws:\/\/ or wss:\/\/\) for protocol alternate/,
  ],
  [
    'an LNS CA file that is not there',
    `target: { type: tts, url: "https://x.example", application_id: app1, api_key_env: KEY, gateway_udp: "x.example:1700", gateway_lns: "wss://x.example:8887", gateway_lns_ca: no-such-ca.pem }\n${BASE}`,
    /target\.gateway_lns_ca: cannot read .*no-such-ca\.pem: ENOENT/,
  ],
  [
    'bad gateway protocol',
    `gateways: { count: 1, protocol: lorhammer }\n${BASE}`,
    /gateways\.protocol: expected semtech-udp, basic-station or alternate, got "lorhammer"/,
  ],
  [
    'bad url',
    `target: { type: tts, url: "tts.example.com" }\n${BASE}`,
    /target\.url: expected a URL like "https:\/\/tts\.example\.com", got "tts\.example\.com"/,
  ],
  [
    'bad threshold syntax',
    `thresholds: ["delivery_ratio is high"]\n${BASE}`,
    /thresholds\[0\]: expected a threshold like "delivery_ratio >= 0\.999" or "latency_p99 < 2s"/,
  ],
  [
    'unknown threshold metric',
    `thresholds: ["happiness >= 1"]\n${BASE}`,
    /thresholds\[0\]: expected a metric \(delivery_ratio, .*\), got "happiness"/,
  ],
  [
    'bad stage target',
    `load: { stages: [{ duration: 10s, target: half }] }\n${BASE}`,
    /load\.stages\[0\]\.target: expected a share of active devices like "50%" or an uplink rate like "200\/s", got "half"/,
  ],
  [
    'unknown frequency plan',
    `frequency_plan: MARS_1\n${BASE}`,
    /^x\.yaml:1 frequency_plan: expected a frequency plan id of The Things Stack/m,
  ],
  ['bad teardown', `teardown: burn\n${BASE}`, /teardown: expected keep or delete, got "burn"/],
  ['YAML syntax error', 'fleets:\n  - name: ff\n   count: 2\n', /^x\.yaml:3 \(syntax\): /m],
];

describe('scenario validation', () => {
  it.each(readdirSync(scenariosDir).filter((f) => f.endsWith('.yaml')))('the example %s validates', (f) => {
    expect(() => loadScenario(`${scenariosDir}${f}`)).not.toThrow();
  });

  it(`has ${BROKEN.length} broken scenarios, each with its located message`, () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BROKEN)('%s', (_what, yaml, expected) => {
    let err: unknown;
    try {
      parseScenario(yaml, 'x.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toMatch(expected);
  });

  it('accepts JSON, and reads `lorawan_version: 1.1` written as a number', () => {
    const s = parseScenario(
      JSON.stringify({ fleets: [{ name: 'ff', count: 1, lorawan_version: 1.1 }] }),
      'x.json',
    );
    expect(s.fleets[0]!.lorawan_version).toBe('1.1');
  });

  it('names a missing file', () => {
    expect(() => loadScenario('/nonexistent/s.yaml')).toThrowError(
      /^\/nonexistent\/s\.yaml:0 \(file\): cannot be read/,
    );
  });
});

describe('durations and thresholds', () => {
  it('parses durations', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('5m'),
      parseDuration('1.5h'),
      parseDuration('30 sec'),
    ]).toEqual([500, 30_000, 300_000, 5_400_000, undefined]);
  });

  it('evaluates thresholds; a metric that was not measured fails', () => {
    const m = { delivery_ratio: 0.9991, latency_p99: 1500, rx_window_miss: 0, downlink_delivery_ratio: null };
    expect(evaluate(parseThreshold('delivery_ratio >= 0.999'), m).pass).toBe(true);
    expect(evaluate(parseThreshold('latency_p99 < 2s'), m).pass).toBe(true);
    expect(evaluate(parseThreshold('latency_p99 < 1s'), m).pass).toBe(false);
    expect(evaluate(parseThreshold('rx_window_miss == 0'), m).pass).toBe(true);
    expect(evaluate(parseThreshold('downlink_delivery_ratio >= 0.99'), m)).toMatchObject({
      pass: false,
      actual: null,
    });
  });
});
