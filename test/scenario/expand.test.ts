import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { derive, expand, sessionKeyBytes } from '../../simulator/scenario/expand.js';
import { parseScenario } from '../../simulator/scenario/load.js';

const scenario = (name: string, fleets: string[]) =>
  parseScenario(
    [
      `name: ${name}`,
      'seed: 7',
      'gateways: { count: 3 }',
      'fleets:',
      ...fleets.map((f) => `  - { name: ${f}, count: 20 }`),
    ].join('\n'),
    `${name}.yaml`,
  );

// TTS's ID rule for gateways and devices (tts-api.md 1.0).
const TTS_ID = /^[a-z0-9](?:[-]?[a-z0-9]){2,}$/;

describe('scenario identities on a shared deployment', () => {
  it('gives two scenarios under one seed gateways of their own: no shared ID or EUI', () => {
    const a = expand(scenario('load-north', ['sensors']));
    const b = expand(scenario('load-south', ['sensors']));
    const ids = (x: typeof a) => x.gateways.map((g) => g.id);
    const euis = (x: typeof a) => x.gateways.map((g) => g.eui);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    expect(euis(a).filter((e) => euis(b).includes(e))).toEqual([]);
    for (const id of [...ids(a), ...ids(b)]) {
      expect(id).toMatch(TTS_ID);
      expect(id.length).toBeLessThanOrEqual(36);
    }
    expect(ids(a)[0]).toMatch(/^load-north-[0-9a-f]{6}-0$/);
    // The same scenario and seed give the same identities (a rerun, another shard, `provision`).
    expect(ids(expand(scenario('load-north', ['sensors'])))).toEqual(ids(a));
  });

  it('gives fleets DevEUIs by scenario and fleet name, not by position: none collide under one seed', () => {
    const a = expand(scenario('site-a', ['meters', 'trackers']));
    const b = expand(scenario('site-b', ['meters', 'trackers']));
    // The same fleet moved to another position keeps its DevEUIs.
    const swapped = expand(scenario('site-a', ['trackers', 'meters']));
    const all = [...a.devices, ...b.devices].map((d) => d.spec.devEui);
    expect(new Set(all).size).toBe(all.length);
    const byId = (x: typeof a) => new Map(x.devices.map((d) => [d.deviceId, d.spec.devEui]));
    expect(byId(swapped)).toEqual(byId(a));
  });

  it('keeps a 40-character scenario name within 36 characters and TTS ID rules', () => {
    const x = expand(scenario('a-very-long-scenario-name-for-a-big-test', ['ff']));
    for (const g of x.gateways) {
      expect(g.id.length).toBeLessThanOrEqual(36);
      expect(g.id).toMatch(TTS_ID);
    }
  });
});

// Keys and EUIs derived from the seed are what earlier runs registered (`teardown: keep`, shards,
// a provisioning run and its traffic runs): the derivation must never change.
describe('derive', () => {
  it('is the first bytes of SHA-256("lorafleet/{seed}/{label}") in uppercase hex (node-forge as the reference)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 32 }), (seed, label, bytes) => {
        const md = forge.md.sha256.create();
        md.update(`lorafleet/${seed}/${label}`, 'utf8');
        expect(derive(seed, label, bytes)).toBe(
          md
            .digest()
            .toHex()
            .slice(0, bytes * 2)
            .toUpperCase(),
        );
      }),
    );
    // A fixed point (computed with createHash before this derivation changed): the AppSKey of device 0 of fleet "meters" under seed 42.
    expect(derive('42', 'meters/0/appskey', 16)).toBe('F0CAD7033FE583CB240CBF5A3A831843');
  });
});

describe('sessionKeyBytes', () => {
  it("derives a compact ABP device's keys as bytes equal to its spec's hex, 1.0 and 1.1", () => {
    for (const [version, hexOf] of [
      ['1.0.3', (sp: { fNwkSIntKey?: string; appSKey?: string }) => [sp.fNwkSIntKey, sp.appSKey]],
      [
        '1.1',
        (sp: { fNwkSIntKey?: string; sNwkSIntKey?: string; nwkSEncKey?: string; appSKey?: string }) => [
          sp.fNwkSIntKey,
          sp.sNwkSIntKey,
          sp.nwkSEncKey,
          sp.appSKey,
        ],
      ],
    ] as const) {
      const x = expand(
        parseScenario(
          [
            'name: keys',
            'seed: 7',
            'gateways: { count: 1 }',
            'fleets:',
            `  - { name: meters, model: compact, count: 30, activation: abp, lorawan_version: ${version} }`,
            `  - { name: full, count: 3, activation: abp, lorawan_version: ${version} }`,
          ].join('\n'),
          'keys.yaml',
        ),
      );
      for (const d of x.devices) {
        const hex = hexOf(d.spec).join('');
        const out = new Uint8Array(hex.length / 2);
        sessionKeyBytes(d, out);
        expect(Buffer.from(out).toString('hex').toUpperCase()).toBe(hex);
      }
    }
  });
});
