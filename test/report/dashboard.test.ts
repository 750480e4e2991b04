import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { startDashboard, type LiveDashboard } from '../../simulator/report/dashboard.js';
import type { RunReport } from '../../simulator/report/types.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { launchChromium } from '../helpers/chromium.js';
import { tempDirs } from '../helpers/reruns.js';
import { runCliAsync } from '../helpers/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { tmp, cleanup } = tempDirs('lorafleet-dashboard-');
let browser: Browser;
let dashboard: LiveDashboard;

beforeAll(async () => {
  [browser, dashboard] = await Promise.all([
    launchChromium(),
    startDashboard({ host: '127.0.0.1', port: 0 }),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  cleanup();
});

/** Ten OTAA sensors in wall time, an uplink every 2 s: a run long enough to watch. */
const scenario = parseScenario(
  [
    'name: dashboard-live',
    'seed: 21',
    'duration: 14s',
    'drain: 3s',
    'load: { join_window: 2s }',
    'gateways: { count: 2, placement: { type: grid, spacing: 1500 } }',
    'fleets:',
    '  - { name: sensors, count: 10, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 2s, positions: { type: random, radius: 800 } }',
    'thresholds: [ "delivery_ratio >= 0.5" ]',
  ].join('\n'),
  'dashboard-live.yaml',
);

// Run in the page (the test project has no DOM types).
const uplinksSent = `(() => {
  const row = [...document.querySelectorAll('#key-figures tr')].find((r) => r.cells[0].textContent.startsWith('uplinks delivered'));
  return row ? Number(row.cells[1].textContent.split(' / ')[1]) : -1;
})()`;

describe('the live dashboard (--dashboard) in headless Chromium', () => {
  it('updates while the run goes on, searches devices, follows one, and ends on the verdict', async () => {
    const run = runScenario(scenario, { stateDir: tmp(), live: dashboard });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(dashboard.url)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    try {
      // Before traffic the page says where the run is; then it is the report page, fed live.
      await page.goto(dashboard.url);
      await page.waitForFunction('document.body && document.body.dataset.live === "true"', null, {
        timeout: 30_000,
        polling: 500,
      });
      expect(await page.title()).toMatch(/^lorafleet — dashboard-live: RUNNING \((traffic|draining) /);
      await page.waitForFunction('Number(document.body.dataset.updates) >= 1', null, { timeout: 15_000 });
      const first = await page.evaluate<number>(uplinksSent);
      await page.waitForFunction(
        `Number(document.body.dataset.updates) >= 4 && ${uplinksSent} > ${first}`,
        null,
        {
          timeout: 15_000,
        },
      );
      expect(Number(await page.evaluate('document.body.dataset.plots'))).toBeGreaterThanOrEqual(6);

      // The device table: a search, then one device's own frames.
      await page.fill('#device-search', 'sensors-1');
      await page.waitForFunction(
        '[...document.querySelectorAll("#device-table tbody tr")].length > 0 && [...document.querySelectorAll("#device-table tbody tr")].every((r) => r.dataset.device.includes("sensors-1"))',
        null,
        { timeout: 10_000 },
      );
      await page.click('#device-table tbody tr[data-device="sensors-1"]');
      await page.waitForFunction(
        'document.querySelector("#device-log").dataset.device === "sensors-1"',
        null,
        {
          timeout: 10_000,
        },
      );
      const log = await page.locator('#device-log').innerText();
      expect(log).toMatch(/↑ JoinRequest DevNonce [0-9A-F]{4}/);

      const report: RunReport = await run;
      dashboard.finish(report);
      await page.waitForFunction('document.body.dataset.finished === "true"', null, { timeout: 10_000 });
      expect(await page.title()).toBe(`lorafleet — dashboard-live: ${report.verdict.toUpperCase()}`);
      expect(await page.locator('#s-header').getAttribute('data-verdict')).toBe(report.verdict);
      // The final figures are the report's.
      expect(await page.evaluate<number>(uplinksSent)).toBe(report.metrics.uplinks_sent);
      expect(errors).toEqual([]);
      expect(elsewhere).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('answers GET of its own paths only, and names what is wrong', async () => {
    const at = (path: string, init?: RequestInit) => fetch(new URL(path, dashboard.url), init);
    expect((await at('/', { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await at('/nothing')).status).toBe(404);
    expect((await at('/api/devices/%E0%A4%A/log')).status).toBe(400);
    const unknown = await at('/api/devices/no-such-device/log');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no device no-such-device' });
    expect((await at(`/api/devices?q=${'x'.repeat(3000)}`)).status).toBe(414);
    const found = (await (await at('/api/devices?q=SENSORS-2&limit=abc')).json()) as {
      devices: { id: string }[];
    };
    expect(found.devices.map((d) => d.id)).toEqual(['sensors-2']);
  });

  it('lorafleet run --dashboard says where the page is; a bad address is a usage error', async () => {
    const dir = tmp();
    const file = join(dir, 'dash.yaml');
    writeFileSync(
      file,
      [
        'name: dash-cli',
        'seed: 3',
        'duration: 10s',
        'drain: 3s',
        'time: virtual',
        'fleets:',
        '  - { name: sensors, count: 3, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 5s }',
      ].join('\n'),
    );
    const ok = await runCliAsync(['run', file, '--state-dir', dir, '--dashboard', '127.0.0.1:0']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^dashboard: live at http:\/\/127\.0\.0\.1:\d+\/$/m);
    const bad = await runCliAsync(['run', file, '--state-dir', dir, '--dashboard', 'somewhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'lorafleet: --dashboard: expected host:port like "127.0.0.1:8080", got "somewhere"',
    );
  }, 60_000);
});
