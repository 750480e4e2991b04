/**
 * The report page's plots, drawn in the browser by the inlined uPlot from the plot data
 * (html-sections.ts plotData): `lorafleetPlots.draw(data)` draws them, and draws them again from
 * newer data on a live page. Each plot marks itself when drawn; `body[data-plots]` counts them.
 */
export const PLOTS_SCRIPT = String.raw`
window.lorafleetPlots = (function () {
  const drawn = {};
  const width = () => Math.max(320, document.querySelector('main').clientWidth - 8);
  const bars = uPlot.paths.bars({ size: [0.9, 60] });
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  // A timeline of up to 600 buckets, shown as at most 300 points: an hour stays readable.
  const group = (t) => Math.max(1, Math.ceil(t.uplinksSent.length / 300));
  const regroup = (a, g, how) => {
    const out = [];
    for (let i = 0; i < a.length; i += g) {
      const part = a.slice(i, i + g).filter((v) => v !== null && v !== undefined);
      out.push(part.length === 0 ? null : how === 'max' ? Math.max(...part) : sum(part));
    }
    return out;
  };
  // Seconds or, past ten minutes, minutes since traffic started.
  const timeAxis = (t, g) => {
    const stepS = (t.bucketMs / 1000) * g;
    const n = Math.ceil(t.uplinksSent.length / g);
    const minutes = n * stepS > 600;
    const xs = Array.from({ length: n }, (_, i) => (i * stepS) / (minutes ? 60 : 1));
    return { xs, stepS, label: (minutes ? 'minutes' : 'seconds') + ' since traffic started' };
  };
  // Log axis ticks at 1, 2 and 5 of each decade, named in ms or s: "10 ms", "200 ms", "1 s".
  const logSplits = (u, axis, min, max) => {
    const out = [];
    for (let e = Math.floor(Math.log10(Math.max(min, 0.1))); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of [1, 2, 5]) {
        const v = m * Math.pow(10, e);
        if (v >= min && v <= max) out.push(v);
      }
    return out;
  };
  const msText = (v) => (v >= 1000 ? v / 1000 + ' s' : v + ' ms');
  // Fixed-bin distributions span every value a radio could report; show the part that holds data.
  const binned = (b, lo0, hi0) => {
    const xs = b.counts.map((_, i) => b.start + i * b.width);
    let lo = b.counts.findIndex((c) => c > 0), hi = b.counts.length - 1;
    while (hi > 0 && b.counts[hi] === 0) hi--;
    if (lo < 0) return [[], []];
    lo = Math.max(0, lo - 2); hi = Math.min(b.counts.length - 1, hi + 2);
    if (lo0 !== undefined) lo = Math.max(lo, xs.findIndex((x) => x >= lo0));
    if (hi0 !== undefined) { const h = xs.findIndex((x) => x > hi0); if (h > 0) hi = Math.min(hi, h - 1); }
    return [xs.slice(lo, hi + 1), b.counts.slice(lo, hi + 1)];
  };
  const axes = (x, y) => [{ label: x }, { label: y, size: 60 }];
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  // Mean data rate index per fleet and interval: where ADR took each fleet.
  const adrPlot = (adr) => {
    const fleets = Object.keys(adr.fleets);
    const n = Math.max(0, ...fleets.flatMap((f) => Object.values(adr.fleets[f].dataRates).map((a) => a.length)));
    const minutes = n * adr.intervalS > 600;
    const xs = Array.from({ length: n }, (_, i) => (i * adr.intervalS) / (minutes ? 60 : 1));
    const mean = (f) => xs.map((_, i) => {
      let frames = 0, weighted = 0;
      for (const [dr, a] of Object.entries(adr.fleets[f].dataRates)) {
        const k = Number(dr.replace(/^DR/, ''));
        if (Number.isFinite(k)) { frames += a[i] || 0; weighted += k * (a[i] || 0); }
      }
      return frames === 0 ? null : weighted / frames;
    });
    return {
      data: [xs, ...fleets.map(mean)],
      opts: { scales: { x: { time: false }, y: { range: [0, 15] } },
        axes: axes((minutes ? 'minutes' : 'seconds') + ' since traffic started (' + adr.intervalS + ' s intervals)', 'mean data rate (DR)'),
        series: [{}, ...fleets.map((f, i) => ({ label: f, stroke: colours[i % colours.length], spanGaps: true }))] },
    };
  };
  const plots = (d) => {
    const t = d.timeline, dist = d.distributions, g = group(t), x = timeAxis(t, g);
    const perS = (a) => regroup(a, g, 'sum').map((v) => (v === null ? 0 : v / x.stepS));
    let cumulative = 0;
    const joined = regroup(t.joinAccepts, g, 'sum').map((n) => (cumulative += n || 0));
    const out = {
      'uplink-rate': {
        data: [x.xs, perS(t.uplinksSent), perS(t.uplinksDelivered)],
        opts: { scales: { x: { time: false } }, axes: axes(x.label, 'uplinks/s'),
          series: [{}, { label: 'sent', stroke: '#1f77b4' }, { label: 'delivered', stroke: '#2ca02c' }] },
      },
      'latency-time': {
        data: [x.xs, regroup(t.latencyP50Ms, g, 'max'), regroup(t.latencyP99Ms, g, 'max'), regroup(t.latencyMaxMs, g, 'max')],
        opts: { scales: { x: { time: false } }, axes: axes(x.label, 'ms'),
          series: [{}, { label: 'p50', stroke: '#1f77b4', spanGaps: true }, { label: 'p99', stroke: '#d62728', spanGaps: true },
            { label: 'max', stroke: '#999', dash: [4, 4], spanGaps: true }] },
      },
      'latency-histogram': {
        data: [dist.latencyMs.edgesMs, dist.latencyMs.counts],
        opts: { scales: { x: { time: false, distr: 3 } },
          axes: [{ label: 'latency (log scale)', splits: logSplits, filter: (u, splits) => splits, values: (u, vs) => vs.map((v) => (v === null ? null : msText(v))) }, { label: 'uplinks', size: 60 }],
          series: [{}, { label: 'uplinks', fill: '#1f77b480', stroke: '#1f77b4', paths: bars }] },
      },
      'join-timeline': {
        data: [x.xs, perS(t.joinRequests), perS(t.joinAccepts), joined],
        opts: { scales: { x: { time: false }, joined: {} },
          axes: [...axes(x.label, 'per second'), { scale: 'joined', side: 1, label: 'joined', size: 60 }],
          series: [{}, { label: 'Join-requests/s', stroke: '#ff7f0e' }, { label: 'JoinAccepts/s', stroke: '#2ca02c' },
            { label: 'joined', stroke: '#9467bd', scale: 'joined' }] },
      },
      'rssi': {
        data: binned(dist.rssiDbm),
        opts: { scales: { x: { time: false } }, axes: axes('RSSI, dBm', 'receptions'),
          series: [{}, { label: 'receptions', fill: '#8c564b80', stroke: '#8c564b', paths: bars }] },
      },
      'snr': {
        // What a concentrator reports: −20 to +14 dB.
        data: binned(dist.snrDb, -20, 14),
        opts: { scales: { x: { time: false, range: [-21, 15] } }, axes: axes('SNR, dB', 'receptions'),
          series: [{}, { label: 'receptions', fill: '#17becf80', stroke: '#17becf', paths: bars }] },
      },
    };
    if (d.adr && Object.keys(d.adr.fleets).length > 0) out['adr-time'] = adrPlot(d.adr);
    return out;
  };
  function draw(d) {
    for (const [id, p] of Object.entries(plots(d))) {
      const el = document.getElementById(id);
      if (!el) continue;
      const old = drawn[id];
      if (old && old.series.length === p.data.length) old.setData(p.data);
      else {
        if (old) old.destroy();
        el.hidden = false;
        drawn[id] = new uPlot({ width: width(), height: 280, ...p.opts }, p.data, el.querySelector('.plot'));
      }
      el.dataset.drawn = 'true';
    }
    document.body.dataset.plots = String(Object.keys(drawn).length);
  }
  window.addEventListener('resize', () => {
    for (const u of Object.values(drawn)) u.setSize({ width: width(), height: 280 });
  });
  // A plot by figure id (its uPlot), for a look at what it drew.
  return { draw, plot: (id) => drawn[id] };
})();
window.lorafleetPlots.draw(JSON.parse(document.getElementById('report-data').textContent));
`;

/** The figures of the page, in order: element id and caption. */
export const FIGURES: readonly [string, string][] = [
  ['uplink-rate', 'Uplinks per second: sent by devices, delivered to the application'],
  ['latency-time', 'End-to-end latency over time (radio transmit → application MQTT)'],
  ['latency-histogram', 'Latency distribution'],
  ['join-timeline', 'Joins: Join-requests and JoinAccepts per second, devices joined'],
  ['adr-time', 'Data rate over time: the mean data rate of each fleet’s data frames (ADR at work)'],
  ['rssi', 'RSSI of uplinks at the gateways'],
  ['snr', 'SNR of uplinks at the gateways (as a concentrator reports it)'],
];
