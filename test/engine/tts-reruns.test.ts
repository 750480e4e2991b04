import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { loadScenario } from '../../simulator/scenario/load.js';
import { expectCleanPass, tempDirs } from '../helpers/reruns.js';
import { ttsStandIn } from '../helpers/tts-stand-in.js';

// In a file of its own: it runs in wall time, beside the virtual-time engine tests.
const root = fileURLToPath(new URL('../../', import.meta.url));
const { tmp, cleanup } = tempDirs('lorafleet-reruns-');
afterAll(cleanup);

// Issue 12 acceptance, the TTS path: the embedded network plays a deployment that outlives the runs,
// reached only as TTS would be. Three runs with the default teardown (soft delete, restore), then two
// with `teardown: keep`: the second keep run resumes every session (no join), and ABP devices come
// back with the channels and ADR settings they accepted, so no LinkADRReq is refused.
describe('every-activation against a long-lived network as a tts target', () => {
  it('passes 3x with teardown delete and 2x with keep; the last run resumes every session', async () => {
    const { net, addresses: a, stop } = await ttsStandIn();
    process.env.LORAFLEET_KEEP_TEST_KEY = net.apiKey;
    try {
      const base = loadScenario(join(root, 'scenarios/every-activation.yaml'));
      const s = {
        ...base,
        time: 'wall' as const,
        duration: '25s',
        drain: '4s',
        load: { ...base.load, join_window: '5s' },
        target: {
          ...base.target,
          type: 'tts' as const,
          url: `http://127.0.0.1:${a.http!.port}`,
          application_id: 'every-activation-app',
          user_id: 'admin',
          api_key_env: 'LORAFLEET_KEEP_TEST_KEY',
          gateway_udp: `127.0.0.1:${a.udp.port}`,
          mqtt_url: `mqtt://127.0.0.1:${a.mqtt!.port}`,
        },
        fleets: base.fleets.map((f) => ({ ...f, count: 3, interval: '5s', data_rate: 5 })),
        // In wall time on a loaded machine the simulator's own lag may cost a window now and then: that
        // is counted as simulator_late, never as rx_window_miss or a violation of the network's.
        thresholds: ['join_success_ratio == 1', 'delivery_ratio >= 0.9', 'rx_window_miss == 0'],
      };
      const stateDir = tmp();
      const policies = ['delete', 'delete', 'delete', 'keep', 'keep'] as const;
      for (const [i, teardown] of policies.entries()) {
        const r = await runScenario({ ...s, teardown }, { stateDir });
        const what = `run ${i + 1} (${teardown})`;
        expectCleanPass(r, what);
        expect(
          Object.keys(r.diagnostics.reasons).filter((k) => /reject|drop/.test(k)),
          what,
        ).toEqual([]);
        const m = r.metrics;
        // After a kept run, every OTAA session resumes: not one Join-request.
        if (i === 4) expect(m.joins_requested, what).toBe(0);
        else expect(m.joins_requested, what).toBeGreaterThanOrEqual(9);
      }
      // Kept: the devices are still registered, and no run key of the five runs is left.
      expect(
        [...net.registry.devices.values()].filter((d) => d.applicationId === 'every-activation-app'),
      ).toHaveLength(15);
      expect(net.registry.applications.get('every-activation-app')!.apiKeys.size).toBe(0);
    } finally {
      await stop();
    }
  }, 300_000);
});
