import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ViolationKind } from '../../simulator/lorawan/violations.js';
import type { RunReport } from '../../simulator/report/types.js';

/** Temporary directories for one test file, removed by `cleanup` (call it from afterAll). */
export function tempDirs(prefix: string): { tmp: () => string; cleanup: () => void } {
  const dirs: string[] = [];
  return {
    tmp: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * A rerun's verdict is a clean pass: every threshold passes, and the devices saw nothing but what
 * the radio may cost (a lost Join-accept, and what else `tolerated` names) — no fault of lorafleet's
 * own state.
 */
export function expectCleanPass(
  r: RunReport,
  what: string,
  tolerated: readonly ViolationKind[] = ['join-accept-missing'],
): void {
  for (const t of r.thresholds) expect(t, `${what}: ${t.text}`).toMatchObject({ pass: true });
  expect(r.verdict, what).toBe('pass');
  expect(
    Object.keys(r.violations).filter((k) => !tolerated.includes(k as ViolationKind)),
    what,
  ).toEqual([]);
}

/** A Semtech UDP v2 PUSH_DATA from gateway `eui` carrying one LoRa rxpk (SF7BW125, 868.1 MHz). */
export function pushDataWith(
  phy: Uint8Array,
  o: { eui: string; tmst: number; rssi?: number; token?: number },
): Buffer {
  const token = o.token ?? 1;
  return Buffer.concat([
    Buffer.from([2, token >> 8, token & 0xff, 0x00]),
    Buffer.from(o.eui, 'hex'),
    Buffer.from(
      JSON.stringify({
        rxpk: [
          {
            tmst: o.tmst,
            freq: 868.1,
            chan: 0,
            stat: 1,
            modu: 'LORA',
            datr: 'SF7BW125',
            codr: '4/5',
            rssi: o.rssi ?? -40,
            lsnr: 9,
            size: phy.length,
            data: Buffer.from(phy).toString('base64'),
          },
        ],
      }),
    ),
  ]);
}
