import { parentPort, workerData } from 'node:worker_threads';

// A TypeScript-only construct: this file runs only when the worker registered tsx first.
const echo = (v: unknown): { echoed: unknown } => ({ echoed: v });
parentPort!.postMessage(echo(workerData));
