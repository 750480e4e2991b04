import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingPushes } from '../../simulator/gateway/pending-pushes.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

const TIMEOUT_US = 100_000;

describe('PendingPushes', () => {
  it('reports exactly the datagrams not acked within the timeout of leaving, at their deadline', () => {
    // Ops: send a datagram (it leaves at once), ack the i-th sent one, or let time pass.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), token: fc.nat({ max: 40 }) }),
      fc.record({ kind: fc.constant('ack' as const), index: fc.nat({ max: 60 }) }),
      fc.record({ kind: fc.constant('wait' as const), us: fc.integer({ min: 1, max: 80_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new VirtualScheduler(0);
        const reported: Array<{ token: number; atUs: number }> = [];
        const p = new PendingPushes(s, TIMEOUT_US, (token) => reported.push({ token, atUs: s.now() }), false);
        // The model: each datagram with its token, deadline, and whether an ack or a reuse ended it.
        const sent: Array<{ token: number; deadline: number; ended: boolean }> = [];
        const expected: Array<{ token: number; atUs: number }> = [];
        const settle = (untilUs: number) => {
          const due = sent
            .filter((d) => !d.ended && d.deadline <= untilUs)
            .sort((a, b) => a.deadline - b.deadline);
          for (const d of due) {
            d.ended = true;
            expected.push({ token: d.token, atUs: d.deadline });
          }
          s.advanceTo(untilUs);
        };
        for (const o of ops) {
          if (o.kind === 'send') {
            for (const d of sent) if (d.token === o.token) d.ended = true;
            sent.push({ token: o.token, deadline: s.now() + TIMEOUT_US, ended: false });
            p.sending(o.token);
            p.sent(o.token);
          } else if (o.kind === 'ack') {
            const token = sent[o.index]?.token;
            if (token === undefined) continue;
            // An ACK names a token: it ends the live datagram with that token, if there is one.
            const live = sent.find((x) => x.token === token && !x.ended);
            expect(p.acked(token)).toBe(live !== undefined);
            if (live) live.ended = true;
          } else settle(s.now() + o.us);
        }
        settle(s.now() + TIMEOUT_US);
        expect(reported).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps one timer in the scheduler however many datagrams are pending', () => {
    const s = new VirtualScheduler(0);
    const p = new PendingPushes(s, TIMEOUT_US, () => undefined, false);
    for (let t = 0; t < 1000; t++) {
      p.sending(t);
      p.sent(t);
      s.advanceBy(10);
    }
    expect(s.pending).toBe(1);
  });

  it('defers a report past the next I/O poll, so an ACK read from the socket then still counts', async () => {
    const s = new VirtualScheduler(0);
    const missing: number[] = [];
    const p = new PendingPushes(s, TIMEOUT_US, (t) => missing.push(t), true);
    p.sending(7);
    p.sent(7);
    p.sending(8);
    p.sent(8);
    s.advanceBy(TIMEOUT_US);
    expect(p.acked(7)).toBe(true); // the ACK that waited in the socket while the timer ran
    await new Promise((r) => setImmediate(r));
    expect(missing).toEqual([8]);
  });

  it('starts the timeout only when the datagram has left', () => {
    const s = new VirtualScheduler(0);
    const missing: number[] = [];
    const p = new PendingPushes(s, TIMEOUT_US, (t) => missing.push(t), false);
    p.sending(1);
    s.advanceBy(5 * TIMEOUT_US); // a socket that held the datagram that long
    p.sent(1);
    s.advanceBy(TIMEOUT_US - 1);
    expect(missing).toEqual([]);
    s.advanceBy(1);
    expect(missing).toEqual([1]);
  });
});
