import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { expand, sessionKeyBytes } from '../../simulator/scenario/expand.js';
import { loadScenario } from '../../simulator/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'lorafleet-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(scenario: string, csv: string, name = 'devices.csv'): string {
  writeFileSync(join(dir, name), csv);
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, scenario);
  return file;
}

const OTAA = `name: csv
seed: 3
fleets:
  - name: listed
    activation: otaa
    lorawan_version: 1.0.3
    devices_file: devices.csv
`;

describe('a fleet from a CSV of devices', () => {
  it('takes EUIs, keys, IDs and positions from the rows; count follows the rows', () => {
    const file = files(
      OTAA,
      [
        '# exported from the manufacturing database',
        'device_id,dev_eui,join_eui,app_key,x,y',
        'meter-a,0004A30B001C0530,70B3D57ED0000001,2B7E151628AED2A6ABF7158809CF4F3C,100,200',
        ',00-04-A3-0B-00-1C-05-31,,2b7e151628aed2a6abf7158809cf4f3d,,',
      ].join('\n'),
    );
    const s = loadScenario(file);
    expect(s.fleets[0]!.count).toBe(2);
    const x = expand(s);
    expect(x.devices.map((d) => d.spec)).toEqual([
      expect.objectContaining({
        deviceId: 'meter-a',
        devEui: '0004A30B001C0530',
        joinEui: '70B3D57ED0000001',
        appKey: '2B7E151628AED2A6ABF7158809CF4F3C',
      }),
      expect.objectContaining({
        deviceId: 'listed-1',
        devEui: '0004A30B001C0531',
        appKey: '2B7E151628AED2A6ABF7158809CF4F3D',
      }),
    ]);
    expect(x.devices[0]!.position).toEqual({ x: 100, y: 200 });
    // Unlisted values come from the seed, as for any fleet.
    expect(x.devices[1]!.spec.joinEui).toMatch(/^70B3D57E[0-9A-F]{8}$/);
  });

  it("gives a compact ABP fleet's session keys as bytes the same as its specs, a row's own keys first", () => {
    const file = files(
      `name: csv
seed: 3
fleets:
  - name: listed
    model: compact
    activation: abp
    lorawan_version: 1.0.3
    devices_file: abp.csv
`,
      [
        'device_id,dev_eui,dev_addr,nwk_s_key,app_s_key',
        'meter-1,0004A30B001C0530,27000001,' + '11'.repeat(16) + ',' + '22'.repeat(16),
      ].join('\n'),
      'abp.csv',
    );
    const [d] = expand(loadScenario(file)).devices;
    const out = new Uint8Array(32);
    sessionKeyBytes(d!, out);
    expect(Buffer.from(out).toString('hex')).toBe('11'.repeat(16) + '22'.repeat(16));
  });

  // Issue 13 item 7: pointed at something that is not a device list, nothing of it is echoed whole.
  it('refuses what is not a regular file, and never echoes a long header cell in full', () => {
    const secret = `LORAFLEET_SECRET_${'S'.repeat(60)}`;
    const file = files(OTAA, `${secret},${'x'.repeat(10)},a,b,c,d,e,f\n1,2,3,4,5,6,7,8`);
    const err = (() => {
      try {
        loadScenario(file);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toMatch(/unknown column/);
    expect(err).not.toContain(secret);
    expect(err).toMatch(/and \d+ more unknown columns/);
    const dirAsFile = join(dir, 'not-a-file.yaml');
    writeFileSync(dirAsFile, `${OTAA.replace('devices.csv', '/proc/self')}`);
    expect(() => loadScenario(dirAsFile)).toThrow(/expected a regular file/);
  });

  it('names the CSV file, line, column and value of every mistake', () => {
    const file = files(
      OTAA,
      ['dev_eui,app_key,colour', '0004A30B001C0530,2B7E151628AED2A6ABF7158809CF4F3C,red'].join('\n'),
    );
    const csv = join(dir, 'devices.csv');
    expect(() => loadScenario(file)).toThrow(
      `${csv}:1 "colour": unknown column (known: device_id, dev_eui, join_eui, app_key, nwk_key, dev_addr, nwk_s_key, f_nwk_s_int_key, s_nwk_s_int_key, nwk_s_enc_key, app_s_key, x, y)`,
    );
    files(
      OTAA,
      [
        'dev_eui,app_key,device_id',
        '0004A30B001C0530,2B7E151628AED2A6ABF7158809CF4F3C,ok-1',
        '0004A30B001C05ZZ,2B7E15,Bad_Id',
        '0004A30B001C0530,,ok-1',
      ].join('\n'),
    );
    let message = '';
    try {
      loadScenario(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      `${csv}:3 dev_eui: expected 16 hex digits, got "0004A30B001C05ZZ"`,
      `${csv}:3 app_key: expected 32 hex digits, got "2B7E15"`,
      `${csv}:3 device_id: expected an ID of 3 to 36 lowercase letters, digits and single dashes, got "Bad_Id"`,
      `${csv}:4 app_key: expected a value, got nothing`,
      `${csv}:4 dev_eui: expected a DevEUI no other row has, got 0004A30B001C0530 (also on line 2)`,
      `${csv}:4 device_id: expected an ID no other row has, got "ok-1" (also on line 2)`,
    ]);
  });

  it('asks for the keys the activation needs, and a count that matches', () => {
    const abp = `name: csv\nfleets:\n  - name: listed\n    activation: abp\n    lorawan_version: 1.1\n    count: 5\n    devices_file: devices.csv\n`;
    const csv = join(dir, 'devices.csv');
    const file = files(
      abp,
      'dev_eui,dev_addr,app_s_key\n0004A30B001C0530,26011234,2B7E151628AED2A6ABF7158809CF4F3C\n',
    );
    expect(() => loadScenario(file)).toThrow(
      [
        `${csv}:1 f_nwk_s_int_key: expected a f_nwk_s_int_key column for abp 1.1 devices, got none`,
        `${csv}:1 s_nwk_s_int_key: expected a s_nwk_s_int_key column for abp 1.1 devices, got none`,
        `${csv}:1 nwk_s_enc_key: expected a nwk_s_enc_key column for abp 1.1 devices, got none`,
      ].join('\n'),
    );
    files(
      abp.replace('1.1', '1.0.3'),
      'dev_eui,dev_addr,nwk_s_key,app_s_key\n0004A30B001C0530,26011234,00112233445566778899AABBCCDDEEFF,2B7E151628AED2A6ABF7158809CF4F3C\n',
    );
    expect(() => loadScenario(file)).toThrow(
      `${file}:6 fleets[0].count: expected the number of devices in devices.csv (1), got 5`,
    );
    files(OTAA, 'dev_eui,app_key\n', 'devices.csv');
    expect(() => loadScenario(file)).toThrow(`${csv}:1 (rows): expected at least one device, got none`);
    writeFileSync(file, OTAA.replace('devices.csv', 'missing.csv'));
    expect(() => loadScenario(file)).toThrow(
      new RegExp(`missing\\.csv:0 \\(file\\): cannot be read: ENOENT`),
    );
  });

  it('runs: listed ABP devices send with their own keys and addresses', async () => {
    const rows = Array.from(
      { length: 5 },
      (_, i) =>
        `abp-dev-${i},00A0000000000${i}00,2601000${i},000102030405060708090A0B0C0D0E0${i},F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEF${i},${i * 100},0`,
    );
    const file = files(
      `name: csvrun\nseed: 4\nduration: 40s\ndrain: 5s\nfleets:\n  - { name: listed, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 10s, devices_file: devices.csv }\nthresholds: [ "delivery_ratio >= 0.9" ]\n`,
      ['device_id,dev_eui,dev_addr,nwk_s_key,app_s_key,x,y', ...rows].join('\n'),
    );
    const r = await runScenario(loadScenario(file), { virtualTime: true, stateDir: join(dir, 'state') });
    expect(r.verdict).toBe('pass');
    expect(r.fleets.listed!.devices).toBe(5);
    expect(r.metrics.uplinks_delivered).toBeGreaterThanOrEqual(15);
  }, 60_000);
});
