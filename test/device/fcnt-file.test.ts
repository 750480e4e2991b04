import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FCntFile } from '../../simulator/device/fcnt-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lorafleet-fcnt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FCntFile', () => {
  it('keeps bounds by device index across opens, readable by its owner only', () => {
    const file = join(dir, 'a.fcnt');
    const f = FCntFile.open(file);
    expect(f.bounds(4)).toEqual(new Uint32Array([0, 0, 0, 0]));
    f.reserve(2, 64);
    f.reserve(0, 0xfffffff0);
    f.close();
    const again = FCntFile.open(file);
    expect(again.bounds(4)).toEqual(new Uint32Array([0xfffffff0, 0, 64, 0]));
    expect(again.bound(2)).toBe(64);
    expect(again.bound(9)).toBe(0);
    again.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('lets several writers (shards, worker threads) share a file, each with its own devices', () => {
    const file = join(dir, 'b.fcnt');
    const a = FCntFile.open(file);
    const b = FCntFile.open(file);
    a.reserve(0, 128);
    const c = FCntFile.open(file);
    b.reserve(1, 192);
    c.reserve(3, 64);
    for (const x of [a, b, c]) x.close();
    const r = FCntFile.open(file);
    expect(r.bounds(4)).toEqual(new Uint32Array([128, 192, 0, 64]));
    r.close();
  });

  it("writes many devices' bounds in runs of consecutive indices, leaving the others' untouched", () => {
    const file = join(dir, 'c.fcnt');
    const other = FCntFile.open(file);
    for (const i of [1, 4, 5, 9]) other.reserve(i, 1000 + i); // another shard's devices
    const mine = FCntFile.open(file);
    mine.reserveMany(Uint32Array.of(0, 2, 3, 6, 7, 8), Uint32Array.of(64, 66, 67, 70, 71, 72));
    mine.reserveMany([], new Uint32Array(0));
    for (const x of [other, mine]) x.close();
    const r = FCntFile.open(file);
    expect([...r.bounds(11)]).toEqual([64, 1001, 66, 67, 1004, 1005, 70, 71, 72, 1009, 0]);
    r.close();
  });
});
