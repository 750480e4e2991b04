import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { colourVerdict, useColour } from '../../simulator/cli/colour.js';
import { fitSegments, liveView, provisioningSegments } from '../../simulator/cli/live-line.js';
import { tempDirs } from '../helpers/reruns.js';
import { progress } from '../helpers/progress.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { tmp, cleanup } = tempDirs('lorafleet-live-');
afterAll(cleanup);

describe('the live line', () => {
  it('keeps the most important segments that fit, and never more than the width', () => {
    const segs = ['traffic 0:12/0:45', 'joined 57/120', 'delivered 36/39', '2.2 up/s', 'p99 280ms'];
    expect(fitSegments(segs, 80)).toBe(
      'traffic 0:12/0:45  joined 57/120  delivered 36/39  2.2 up/s  p99 280ms',
    );
    expect(fitSegments(segs, 50)).toBe('traffic 0:12/0:45  joined 57/120  delivered 36/39');
    expect(fitSegments(segs, 10)).toBe('traffic 0:');
    expect(provisioningSegments(50, 200, 10_000)).toEqual(['provisioning 50/200 devices', '5/s', 'ETA 0:30']);
  });

  it('rewrites one line in place on a terminal, and prints plain lines elsewhere', () => {
    let t = 0;
    const out: string[] = [];
    const tty = liveView({ write: (s) => out.push(s), tty: true, columns: () => 40, nowMs: () => t });
    tty.phase('provisioning', 1, 10);
    t += 200;
    tty.phase('traffic');
    tty.progress(progress({ elapsedMs: 5000 }));
    t += 50;
    tty.progress(progress({ elapsedMs: 6000 })); // within 100 ms of the last draw: not drawn
    tty.end();
    expect(out).toHaveLength(3); // provisioning, one traffic line (the second came too soon), the end
    for (const s of out) {
      expect(s.startsWith('\r')).toBe(true);
      expect(s).not.toContain('\n');
      const CLEAR = '\x1b[K';
      expect(s.slice(1).replace(CLEAR, '').length).toBeLessThan(40);
    }
    const plain: string[] = [];
    const log = liveView({ write: (s) => plain.push(s), tty: false, columns: () => 40, nowMs: () => t });
    log.phase('traffic');
    log.progress(progress({ elapsedMs: 5000 }));
    log.progress(progress({ elapsedMs: 6000 })); // within 5 s: not printed
    log.end();
    expect(plain).toEqual(['traffic\n', expect.stringMatching(/^\[5s\/60s\] joined 0\/10 .*\n$/)]);
  });

  it('colours the verdict only for a terminal, and never with NO_COLOR', () => {
    expect(useColour({ isTTY: true }, { TERM: 'xterm' })).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourVerdict('x\nverdict: FAIL', true)).toBe('x\nverdict: \x1b[1;31mFAIL\x1b[0m');
    expect(colourVerdict('x\nverdict: FAIL', false)).toBe('x\nverdict: FAIL');
  });
});

describe('lorafleet run on an 80-column terminal (tmux)', () => {
  it('never writes past column 80, keeps one live line, and ends with a coloured verdict', async () => {
    const tmux = '/usr/bin/tmux';
    if (!existsSync(tmux))
      throw new Error("the terminal test needs tmux: install Debian's package (apt-get install tmux)");
    const socket = `lorafleet-test-${process.pid}`;
    const t = (...args: string[]) => spawnSync(tmux, ['-L', socket, ...args], { encoding: 'utf8' });
    const done = `${tmp()}/done`;
    const cmd = `cd ${root} && node --import tsx simulator/cli/main.ts run scenarios/quickstart.yaml --virtual-time --state-dir ${tmp()}; touch ${done}; sleep 60`;
    expect(t('new-session', '-d', '-s', 'run', '-x', '80', '-y', '30', cmd).status).toBe(0);
    try {
      const panes: string[] = [];
      for (let i = 0; i < 600 && !existsSync(done); i++) {
        panes.push(t('capture-pane', '-p', '-t', 'run').stdout);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(existsSync(done)).toBe(true);
      const last = t('capture-pane', '-p', '-e', '-t', 'run').stdout;
      panes.push(t('capture-pane', '-p', '-t', 'run').stdout);
      const live = /^(provisioning|joining|traffic|draining|teardown) /;
      expect(panes.some((p) => p.split('\n').some((l) => live.test(l)))).toBe(true);
      expect(panes.some((p) => /^joining /m.test(p))).toBe(true);
      for (const p of panes) {
        const lines = p.split('\n');
        for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
        // One live line at a time: it is rewritten, not scrolled.
        expect(lines.filter((l) => live.test(l)).length).toBeLessThanOrEqual(1);
      }
      // Bold green, as tmux re-encodes it.
      expect(last).toContain('verdict: \x1b[1m\x1b[32mPASS');
    } finally {
      t('kill-server');
    }
  }, 90_000);
});
