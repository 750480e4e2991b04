import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startPrometheus } from '../../simulator/report/prometheus.js';
import { counts, progress } from '../helpers/progress.js';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { query: string }[] };
}

describe('the Grafana dashboard in docs/grafana', () => {
  it('asks only for series the Prometheus exporter serves', async () => {
    const d = JSON.parse(readFileSync('docs/grafana/lorafleet-run.json', 'utf8')) as Dashboard;
    const exprs = [
      ...d.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...d.templating.list.map((t) => t.query),
    ];
    expect(d.panels.length).toBeGreaterThanOrEqual(6);
    const p = await startPrometheus({ host: '127.0.0.1', port: 0 }, { scenario: 'dash' });
    try {
      p.listener.delivered!(120);
      p.update(
        progress({ counts: counts({ uplinksSent: 3, uplinksDelivered: 2 }), violations: { 'bad-mic': 1 } }),
      );
      const text = await (await fetch(p.url)).text();
      const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const asked = new Set(
        exprs.flatMap((e) => [...e.matchAll(/\blorafleet_[a-z0-9_]+/g)].map((m) => m[0])),
      );
      expect(asked.size).toBeGreaterThan(10);
      for (const name of asked) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        expect(served.has(name) || served.has(base), `${name} is not served`).toBe(true);
      }
    } finally {
      await p.close();
    }
  });
});
