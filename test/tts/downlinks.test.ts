import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { listDownlinks, pushDownlinks, replaceDownlinks } from '../../simulator/tts/downlinks.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { TtsApiError } from '../../simulator/tts/errors.js';
import { Journal } from '../../simulator/tts/journal.js';
import { Provisioner } from '../../simulator/tts/provisioning.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('the downlink queue through the Application Server API', () => {
  let net: EmbeddedNetwork;
  let client: TtsClient;
  let dir: string;
  const app = 'queue-app';
  const dev = 'abp-dev';

  beforeAll(async () => {
    net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
    const a = await net.start();
    client = new TtsClient({
      target: { url: `http://127.0.0.1:${a.http!.port}` },
      apiKey: net.apiKey,
      userAgent: 'lorafleet/test',
    });
    dir = mkdtempSync(join(tmpdir(), 'lorafleet-queue-'));
    const p = new Provisioner(client, new Journal(join(dir, 'j')), {
      applicationId: app,
      owner: { userId: 'admin' },
    });
    await p.ensureApplication();
    // ABP: a session exists at once, so the queue accepts downlinks without a join.
    await p.provisionDevice({
      deviceId: dev,
      devEui: '70B3D57ED0000001',
      lorawanVersion: '1.0.3',
      frequencyPlanId: 'EU_863_870',
      activation: 'abp',
      devAddr: '27000001',
      fNwkSIntKey: '00112233445566778899AABBCCDDEEFF',
      appSKey: 'FFEEDDCCBBAA99887766554433221100',
      rx1Delay: 1,
      resetsFCnt: false,
    });
  });
  afterAll(async () => {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes, lists, replaces and clears', async () => {
    await pushDownlinks(client, app, dev, [
      { f_port: 5, frm_payload: 'AQI=', correlation_ids: ['a'] },
      { f_port: 6, frm_payload: 'AwQ=', confirmed: true },
    ]);
    let q = await listDownlinks(client, app, dev);
    expect(q.map((d) => [d.f_port, d.frm_payload, d.confirmed])).toEqual([
      [5, 'AQI=', false],
      [6, 'AwQ=', true],
    ]);
    await replaceDownlinks(client, app, dev, [{ f_port: 7, frm_payload: 'BQ==' }]);
    q = await listDownlinks(client, app, dev);
    expect(q.map((d) => d.f_port)).toEqual([7]);
    await replaceDownlinks(client, app, dev, []);
    expect(await listDownlinks(client, app, dev)).toEqual([]);
  });

  it("surfaces the server's refusal as a typed error", async () => {
    const err = await pushDownlinks(client, app, dev, [{ f_port: 0, frm_payload: 'AQ==' }]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TtsApiError);
    expect((err as TtsApiError).status).toBe(400);
    const missing = await listDownlinks(client, app, 'nope').catch((e: unknown) => e);
    expect((missing as TtsApiError).status).toBe(404);
  });
});
