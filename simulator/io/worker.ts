import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running `entry` — a module beside `from` (the caller's `import.meta.url`), named
 * without its extension. From dist it is plain JavaScript; from source (tests, tsx) the thread first
 * registers tsx (module hooks of the main thread do not reach workers on Node 20), found from this
 * checkout: an evaluated worker resolves bare names from the working directory, which may be elsewhere.
 */
export function startWorker(from: string, entry: string, options: WorkerOptions = {}): Worker {
  const fromSource = from.endsWith('.ts');
  const url = new URL(`./${entry}.${fromSource ? 'ts' : 'js'}`, from);
  if (!fromSource) return new Worker(url, options);
  const cjs = createRequire(from).resolve('tsx/esm/api');
  const tsx = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`,
    { ...options, eval: true },
  );
}
