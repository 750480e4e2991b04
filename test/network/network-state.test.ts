import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aes128Key, eui64 } from '../../crypto/types.js';
import { DeviceRegistries } from '../../network/device-registries.js';
import { JoinServer } from '../../network/join-server.js';
import { NetworkStateError, NetworkStateFile } from '../../network/network-state.js';
import { Registry } from '../../network/registry.js';
import { buildJoinRequest } from '../../simulator/lorawan/frame-security.js';
import type { JoinRequest } from '../../simulator/lorawan/join-request.js';
import { decodePHYPayload } from '../../simulator/lorawan/phy-payload.js';
import type { DeviceSpec } from '../../simulator/scenario/device-spec.js';
import { asSetRequest, isCreateBody, jsSetRequest, nsSetRequest } from '../../simulator/tts/requests.js';

const APP_KEY = '2B7E151628AED2A6ABF7158809CF4F3C';

const abp = (i: number): DeviceSpec => ({
  deviceId: `abp-${i}`,
  devEui: `10000000${String(i).padStart(8, '0')}`,
  activation: 'abp',
  lorawanVersion: '1.0.3',
  frequencyPlanId: 'EU_863_870',
  devAddr: (0x26000000 + i).toString(16).toUpperCase(),
  fNwkSIntKey: '00112233445566778899AABBCCDDEEFF',
  appSKey: 'FFEEDDCCBBAA99887766554433221100',
  rx1Delay: 1,
});

const otaa = (i: number): DeviceSpec => ({
  deviceId: `otaa-${i}`,
  devEui: `00000000${String(i).padStart(8, '0')}`,
  joinEui: '70B3D57ED0000001',
  activation: 'otaa',
  lorawanVersion: '1.0.3',
  frequencyPlanId: 'EU_863_870',
  appKey: APP_KEY,
});

/** A network's registries with a state file, as `lorafleet network --state` has them. */
function network(file: string) {
  const registry = new Registry('NNSXS.TESTADMIN.KEY');
  const devices = new DeviceRegistries(registry);
  const state = new NetworkStateFile(file, registry);
  const found = state.open(devices);
  return { registry, devices, state, found };
}

/** Registers a device the way the HTTP API does: a write per registry, each on disk before its answer. */
function register(n: ReturnType<typeof network>, s: DeviceSpec): void {
  n.devices.create('app', isCreateBody(s).end_device);
  n.state.flush();
  for (const [c, r] of [
    ...(s.activation === 'otaa' ? [['js', jsSetRequest(s)] as const] : []),
    ['ns', nsSetRequest(s)] as const,
    ['as', asSetRequest(s)] as const,
  ]) {
    n.devices.set(c, 'app', s.deviceId, r.body.end_device, r.paths);
    n.state.flush();
  }
}

function withApp(file: string) {
  const n = network(file);
  n.registry.putApplication('app', {
    doc: { ids: { application_id: 'app' } },
    owner: { user_id: 'admin' },
    apiKeys: new Map(),
  });
  n.state.flush();
  return n;
}

const stateFile = () => join(mkdtempSync(join(tmpdir(), 'lorafleet-netstate-')), 'network.json');
const lineCount = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
const docs = (r: Registry) =>
  Object.fromEntries([...r.devices].map(([k, d]) => [k, { is: d.is, js: d.js, ns: d.ns, as: d.as }]));

describe('the embedded network state file (lorafleet network --state)', () => {
  it('appends what a registration changed: the n-th device costs its own lines, not the registry', () => {
    const file = stateFile();
    const n = withApp(file);
    for (let i = 0; i < 300; i++) register(n, abp(i));
    // A header, the application, then one line per acknowledged write (IS create, NS set, AS set).
    expect(lineCount(file)).toBe(2 + 300 * 3);
    const before = statSync(file).size;
    register(n, abp(300));
    const appended = statSync(file).size - before;
    const oneRecord = JSON.stringify({ device: ['app', 'abp-300'], ...n.registry.device('app', 'abp-300') });
    expect(appended).toBeLessThan(3 * oneRecord.length + 3);
    n.state.close();

    const again = network(file);
    expect(again.found).toBe(true);
    expect(docs(again.registry)).toEqual(docs(n.registry));
    // An ABP session comes back from the NS and AS documents: uplinks are accepted without a re-registration.
    expect(again.registry.byDevAddr(0x26000007).map((d) => d.deviceId)).toEqual(['abp-7']);
    again.state.close();
  });

  it('has a DevNonce the Join Server took on disk once flushed, and refuses it again after a restart', () => {
    const file = stateFile();
    const n = withApp(file);
    register(n, otaa(1));
    const js = new JoinServer(n.registry, { netId: 0x13, rx1DelayS: 5 });
    const phy = buildJoinRequest(
      { joinEui: eui64('70B3D57ED0000001'), devEui: eui64('0000000000000001'), devNonce: 7 },
      aes128Key(APP_KEY),
    );
    const jr = decodePHYPayload(phy) as JoinRequest;
    expect(js.handle(phy, jr).ok).toBe(true);
    n.state.flush(); // what the NS does before the Join-accept leaves
    // kill -9 here: nothing else is written.

    const again = network(file);
    const replay = new JoinServer(again.registry, { netId: 0x13, rx1DelayS: 5 }).handle(phy, jr);
    expect(replay).toMatchObject({ ok: false, reason: 'dev_nonce_reused' });
    again.state.close();
  });

  it('keeps removals: a deleted device and a purged application do not come back', () => {
    const file = stateFile();
    const n = withApp(file);
    for (let i = 0; i < 3; i++) register(n, abp(i));
    for (const c of ['is', 'ns', 'as'] as const) n.devices.delete(c, 'app', 'abp-1');
    n.registry.putApplication('other', {
      doc: { ids: { application_id: 'other' } },
      owner: { user_id: 'admin' },
      apiKeys: new Map(),
    });
    const key = n.registry.addApiKey('other', 'k', ['RIGHT_APPLICATION_ALL']);
    n.state.flush();
    const kept = network(file);
    expect(kept.registry.auth(key.key)).toEqual({
      applicationId: 'other',
      rights: ['RIGHT_APPLICATION_ALL'],
    });
    kept.registry.purgeApplication('other');
    kept.state.flush();

    const again = network(file);
    expect([...again.registry.devices.keys()].sort()).toEqual(['app/abp-0', 'app/abp-2']);
    expect(again.registry.byDevAddr(0x26000001)).toEqual([]);
    expect([...again.registry.applications.keys()]).toEqual(['app']);
    expect(again.registry.auth(key.key)).toBeUndefined();
  });

  it('starts again with a soft-deleted application that has API keys (it stays deleted, restorable)', () => {
    const file = stateFile();
    const n = withApp(file);
    n.registry.putApplication('gone', {
      doc: { ids: { application_id: 'gone' } },
      owner: { user_id: 'admin' },
      apiKeys: new Map(),
    });
    n.registry.addApiKey('gone', 'k', ['RIGHT_APPLICATION_ALL']);
    n.registry.deleteApplication('gone');
    n.state.close();
    const again = network(file);
    expect(() => again.registry.application('gone')).toThrow(/not found/);
    again.registry.restoreApplication('gone', 60_000);
    expect(again.registry.application('gone').apiKeys.size).toBe(1);
  });

  it('rewrites itself whole once it holds four times more lines than entities', () => {
    const file = stateFile();
    const n = withApp(file);
    for (let i = 0; i < 10; i++) register(n, abp(i));
    const d = n.registry.device('app', 'abp-0')!;
    for (let i = 0; i < 1100; i++) {
      n.registry.touchDevice(d);
      n.state.flush();
    }
    // Past 1,000 + 4 × 11 lines it was rewritten: a header and one line per entity, and what followed.
    expect(lineCount(file)).toBeLessThan(1 + 11 + 1100 - 1000);
    n.state.close();
    expect(docs(network(file).registry)).toEqual(docs(n.registry));
  });

  it('cuts a torn last line (a kill mid-write) and keeps everything before it', () => {
    const file = stateFile();
    const n = withApp(file);
    for (let i = 0; i < 2; i++) register(n, abp(i));
    n.state.close();
    appendFileSync(file, '{"device":["app","abp-9"],"is":{"ids":');
    const again = network(file);
    expect([...again.registry.devices.keys()].sort()).toEqual(['app/abp-0', 'app/abp-1']);
    expect(readFileSync(file, 'utf8')).not.toContain('abp-9');
  });

  it('names the file and line of a damaged record, and of a field of the wrong type', () => {
    const file = stateFile();
    const n = withApp(file);
    register(n, abp(0));
    n.state.close();
    const good = readFileSync(file, 'utf8');
    const lines = good.split('\n');
    writeFileSync(file, [...lines.slice(0, 2), '{not json', ...lines.slice(2)].join('\n'));
    expect(() => network(file)).toThrow(NetworkStateError);
    expect(() => network(file)).toThrow(`${file}: line 3: not JSON; the file is damaged`);
    writeFileSync(file, `${lines[0]}\n{"application":"a","doc":{},"owner":{},"api_keys":5}\n`);
    expect(() => network(file)).toThrow(`${file}: line 2: \`api_keys\` is not a list of keys`);
    writeFileSync(file, `${lines[0]}\n{"device":["app","d"],"js":"x"}\n`);
    expect(() => network(file)).toThrow(`${file}: line 2: \`js\` is not an object`);
    writeFileSync(file, 'hello\n');
    expect(() => network(file)).toThrow(`${file}: line 1: not a lorafleet network state file`);
  });

  it('reads the first format (one document) and rewrites it as a journal', () => {
    const file = stateFile();
    const n = withApp(join(mkdtempSync(join(tmpdir(), 'lorafleet-netstate-')), 'v2.json'));
    register(n, otaa(3));
    const d = n.registry.device('app', 'otaa-3')!;
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        applications: [{ doc: { ids: { application_id: 'app' } }, owner: { user_id: 'admin' }, apiKeys: [] }],
        gateways: [{ ids: { gateway_id: 'gw-1', eui: 'AA555A0000000001' } }],
        devices: [{ applicationId: 'app', deviceId: 'otaa-3', is: d.is, js: d.js, ns: d.ns, as: d.as }],
      }),
    );
    const again = network(file);
    expect(docs(again.registry)).toEqual(docs(n.registry));
    expect(again.registry.gatewayByEui('AA555A0000000001')).toBeDefined();
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('{"lorafleet_network_state":2}');
  });
});
