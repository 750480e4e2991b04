import type { Progress, RunPhase } from '../report/types.js';
import { errorsText, progressLine } from './progress-line.js';

/** How a run shows where it is: phases as they start, progress as it comes, then a clean end. */
export interface LiveView {
  phase(phase: RunPhase, done?: number, total?: number): void;
  progress(p: Progress): void;
  /** Leaves the line (TTY) before the summary is printed. */
  end(): void;
}

export interface LiveViewOptions {
  write: (s: string) => void;
  /** A terminal: one line rewritten in place; otherwise plain lines, one every `plainEveryMs`. */
  tty: boolean;
  columns: () => number;
  nowMs: () => number;
  plainEveryMs?: number;
}

const CLEAR_TO_END = '\x1b[K';
/** A terminal is redrawn at most this often: a virtual-time run reports many simulated seconds a second. */
const REDRAW_MS = 100;

const clock = (s: number) =>
  s >= 3600
    ? `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`
    : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/**
 * The segments of a line, most important first, joined while they fit `width`; a segment that does
 * not fit is left out (and what follows it), so the line never wraps and never scrolls.
 */
export function fitSegments(segments: readonly string[], width: number): string {
  let line = '';
  for (const s of segments) {
    const next = line === '' ? s : `${line}  ${s}`;
    if (next.length > width) break;
    line = next;
  }
  return line === '' ? (segments[0] ?? '').slice(0, Math.max(0, width)) : line;
}

/** The live line of a traffic phase, in segments, most important first. */
export function trafficSegments(phase: RunPhase, p: Progress, ratePerS: number): string[] {
  const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)}ms`);
  const c = p.counts;
  // Traffic while some devices have no session yet is the fleet joining.
  const name = phase === 'traffic' && p.joined < p.devices ? 'joining' : phase;
  return [
    `${name} ${clock(p.elapsedMs / 1000)}/${clock(p.durationMs / 1000)}`,
    `joined ${p.joined}/${p.devices}`,
    `delivered ${c.uplinksDelivered}/${c.uplinksSent}`,
    `${ratePerS.toFixed(1)} up/s`,
    `p99 ${ms(p.latencyP99Ms)}`,
    errorsText(p, true),
    `p50 ${ms(p.latencyP50Ms)}`,
  ];
}

/** The live line while devices are registered: how many, how fast, how long still. */
export function provisioningSegments(done: number, total: number, elapsedMs: number): string[] {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? clock((total - done) / rate) : '-';
  return [`provisioning ${done}/${total} devices`, `${rate.toFixed(0)}/s`, `ETA ${eta}`];
}

export function liveView(o: LiveViewOptions): LiveView {
  let phase: RunPhase = 'provisioning';
  let phaseStartMs = o.nowMs();
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let lastPlainMs = Number.NEGATIVE_INFINITY;
  let prev: Progress | undefined;
  let drawn = false;
  const draw = (segments: string[], force = false) => {
    const now = o.nowMs();
    if (!force && now - lastDrawMs < REDRAW_MS) return;
    lastDrawMs = now;
    // One column short of the width: a line that fills the last column wraps on some terminals.
    o.write(`\r${fitSegments(segments, Math.max(20, o.columns() - 1))}${CLEAR_TO_END}`);
    drawn = true;
  };
  return {
    phase(next, done, total) {
      if (next !== phase) {
        phase = next;
        phaseStartMs = o.nowMs();
        // Plain output names the phases of traffic only: provisioning and teardown also run on a
        // failure's way out, whose one line of error must stay the only line.
        if (!o.tty && (next === 'traffic' || next === 'draining')) o.write(`${next}\n`);
      }
      if (o.tty && next === 'provisioning' && done !== undefined && total !== undefined)
        draw(provisioningSegments(done, total, o.nowMs() - phaseStartMs), done === total);
      else if (o.tty && next === 'teardown') draw([`teardown`], true);
    },
    progress(p) {
      const now = o.nowMs();
      if (o.tty) {
        const dt = prev ? (p.elapsedMs - prev.elapsedMs) / 1000 : p.elapsedMs / 1000;
        const rate = dt > 0 ? (p.counts.uplinksSent - (prev?.counts.uplinksSent ?? 0)) / dt : 0;
        if (now - lastDrawMs >= REDRAW_MS) {
          draw(trafficSegments(phase, p, rate), true);
          prev = p;
        }
        return;
      }
      if (now - lastPlainMs < (o.plainEveryMs ?? 5000)) return;
      lastPlainMs = now;
      o.write(`${progressLine(p, prev)}\n`);
      prev = p;
    },
    end() {
      if (o.tty && drawn) o.write(`\r${CLEAR_TO_END}`);
    },
  };
}
