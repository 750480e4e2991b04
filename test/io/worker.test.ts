import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../simulator/io/worker.js';

describe('startWorker', () => {
  it('runs a TypeScript entry beside a source module, whatever the working directory', async () => {
    const cwd = process.cwd();
    const elsewhere = mkdtempSync(join(tmpdir(), 'lorafleet-worker-'));
    process.chdir(elsewhere);
    try {
      const w = startWorker(import.meta.url, 'worker-fixture', { workerData: { n: 7 } });
      const [m] = (await once(w, 'message')) as [unknown];
      expect(m).toEqual({ echoed: { n: 7 } });
      await w.terminate();
    } finally {
      process.chdir(cwd);
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 30_000);

  it('runs a plain JavaScript entry beside a compiled module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-worker-'));
    try {
      writeFileSync(
        join(dir, 'entry.js'),
        "require('node:worker_threads').parentPort.postMessage({ plain: require('node:worker_threads').workerData });",
      );
      const w = startWorker(pathToFileURL(join(dir, 'caller.js')).href, 'entry', { workerData: 3 });
      const [m] = (await once(w, 'message')) as [unknown];
      expect(m).toEqual({ plain: 3 });
      await w.terminate();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
