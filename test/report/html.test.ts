import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import type { RunReport } from '../../simulator/report/types.js';
import type { ViolationKind } from '../../simulator/lorawan/violations.js';
import { htmlReport } from '../../simulator/report/html.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { launchChromium } from '../helpers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'lorafleet-html-'));
let browser: Browser;
let report: RunReport;

beforeAll(async () => {
  const s = parseScenario(
    [
      'name: html-report',
      'seed: 11',
      'duration: 40s',
      'drain: 5s',
      'gateways: { count: 2, placement: { type: grid, spacing: 2000 } }',
      'fleets:',
      '  - { name: sensors, count: 12, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 8s, confirmed: 0.3 }',
      'thresholds: [ "delivery_ratio >= 0.5", "latency_p99 < 1ms" ]',
    ].join('\n'),
    'html-report.yaml',
  );
  [report, browser] = await Promise.all([
    runScenario(s, { virtualTime: true, stateDir: dir }),
    launchChromium(),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Run in the page (the test project has no DOM types): every plot marks itself when drawn.
const PLOTS_DRAWN = 'document.body.dataset.plots === "7"';
/** Pixels with anything painted on a canvas; -2 when there is none, -1 when too small to be a plot. */
const paintedPixels = (selector: string): string => `((c) => {
  if (!c) return -2;
  if (c.width < 100 || c.height < 100) return -1;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
  return n;
})(document.querySelector(${JSON.stringify(selector)}))`;

/** Opens a report page offline: any request that is not the file itself is recorded and refused. */
async function open(html: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const url = pathToFileURL(file).href;
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  return { page, errors, requests };
}

describe('the HTML report in headless Chromium', () => {
  it('renders offline, without errors, with all seven plots drawn', async () => {
    const { page, errors, requests } = await open(htmlReport(report));
    await page.waitForFunction(PLOTS_DRAWN, null, { timeout: 10_000 });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    for (const id of [
      'uplink-rate',
      'latency-time',
      'latency-histogram',
      'join-timeline',
      'adr-time',
      'rssi',
      'snr',
    ]) {
      // A drawn plot has a canvas of its size with something painted on it.
      const painted = await page.evaluate<number>(paintedPixels(`#${id} canvas`));
      expect(painted, id).toBeGreaterThan(500);
      // The legend names the series the plot is made of.
      expect(await page.locator(`#${id} .u-legend`).count(), id).toBe(1);
    }
    expect(await page.locator('#join-timeline .u-legend').innerText()).toMatch(
      /Join-requests\/s[\s\S]*JoinAccepts\/s[\s\S]*joined/,
    );
    expect(await page.locator('#adr-time .u-legend').innerText()).toContain('sensors');
    await page.close();
  });

  it('draws full width, with latency ticks in ms and s, and SNR within what a concentrator reports', async () => {
    const { page } = await open(htmlReport(report));
    await page.waitForFunction(PLOTS_DRAWN, null, { timeout: 10_000 });
    const mainWidth = await page.evaluate<number>('document.querySelector("main").clientWidth');
    const plotWidth = await page.evaluate<number>(
      'document.querySelector("#uplink-rate .uplot").clientWidth',
    );
    expect(mainWidth).toBeGreaterThan(1000); // no narrow column on a wide window
    expect(plotWidth).toBeGreaterThan(mainWidth - 40);
    // The log axis names its ticks at 1, 2 and 5 of a decade, in ms or s (uPlot draws them on the
    // canvas; the values it drew are on its axis).
    const labels = await page.evaluate<string[]>(
      'window.lorafleetPlots.plot("latency-histogram").axes[0]._values.filter((v) => v !== null)',
    );
    expect(labels.length).toBeGreaterThan(1);
    for (const t of labels) expect(t).toMatch(/^[125]0* (ms|s)$/);
    // The SNR axis spans −20 to +14 dB, whatever the devices' true SNR.
    const snr = await page.evaluate<{ min: number; max: number }>(
      '(({ min, max }) => ({ min, max }))(window.lorafleetPlots.plot("snr").scales.x)',
    );
    expect(snr).toEqual({ min: -21, max: 15 });
    await page.close();
  });

  it('tabulates the losses by reason and the firmware behaviour, as the JSON report has them', async () => {
    const { page } = await open(htmlReport(report));
    const mac = await page.locator('#mac-commands').innerText();
    for (const name of Object.keys(report.firmware.mac.fromNetwork)) expect(mac).toContain(name);
    const rates = await page.locator('#data-rates tbody tr').allInnerTexts();
    expect(rates[0]).toMatch(/^sensors\s+\d+/);
    const joins = await page.locator('#join-attempts tbody tr').allInnerTexts();
    expect(joins.map((r) => r.split('\t').map(Number))).toEqual(
      Object.entries(report.firmware.joinRequests.perDevice).map(([n, d]) => [Number(n), d]),
    );
    const lost = await page.locator('#uplink-losses tbody tr').allInnerTexts();
    expect(lost).toHaveLength(Object.keys(report.uplinkLosses).length);
    expect(lost.map((r) => Number(r.split('\t')[0])).reduce((a, b) => a + b, 0)).toBe(
      report.metrics.uplinks_lost,
    );
    const down = await page.locator('#downlink-losses tbody tr').allInnerTexts();
    expect(down.map((r) => Number(r.split('\t')[0]))).toEqual(Object.values(report.downlinkLosses));
    await page.close();
  });

  it('shows the verdict and every threshold with its own verdict', async () => {
    expect(report.verdict).toBe('fail');
    const { page } = await open(htmlReport(report));
    expect(await page.locator('header h1').innerText()).toBe('lorafleet — html-report: FAIL');
    const rows = await page.locator('#thresholds tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^PASS\s+delivery_ratio >= 0.5\s+\d+\.\d\d %$/);
    expect(rows[1]).toMatch(/^FAIL\s+latency_p99 < 1ms\s+\d+ms$/);
    await page.close();
  });

  it('plots the same numbers the JSON report holds', async () => {
    const { page } = await open(htmlReport(report));
    await page.waitForFunction(PLOTS_DRAWN, null, { timeout: 10_000 });
    const d = JSON.parse((await page.locator('#report-data').textContent()) ?? '{}') as RunReport;
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const embedded = { sent: sum(d.timeline.uplinksSent), delivered: sum(d.timeline.uplinksDelivered) };
    const m = report.metrics;
    expect(embedded.sent).toBe(m.uplinks_sent);
    expect(embedded.delivered).toBe(m.uplinks_delivered);
    expect(embedded.sent).toBeGreaterThan(20);
    await page.close();
  });

  it('keeps text from the network and devices as text, even markup that would end the script', async () => {
    // A report read back from a file may hold any kind at all: the types do not protect the page.
    const hostile: RunReport = {
      ...report,
      violations: { '<img src=x onerror="window.pwned=1">': 1 } as RunReport['violations'],
      violationSamples: [
        { device: 'd-1', kind: 'odd' as ViolationKind, detail: '</script><script>window.pwned=2</script>' },
      ],
      diagnostics: { reasons: { '<b>bold</b>': 3 }, notProvisioned: [] },
      timeline: { ...report.timeline },
    };
    // A value inside the embedded data that would close the data element if it were not escaped.
    (hostile as unknown as { timeline: Record<string, unknown> }).timeline.note =
      '</script><script>window.pwned=3</script>';
    const { page, errors } = await open(htmlReport(hostile));
    await page.waitForFunction(PLOTS_DRAWN, null, { timeout: 10_000 });
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(await page.locator('main').innerText()).toContain('</script><script>window.pwned=2</script>');
    expect(await page.locator('main').innerText()).toContain('<b>bold</b>');
    expect(errors).toEqual([]);
    await page.close();
  });
});
