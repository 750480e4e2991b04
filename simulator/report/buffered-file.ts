import { closeSync, openSync, writeSync } from 'node:fs';
import { makeParentDirs } from '../io/output-dir.js';

/** Bytes gathered before one write: a capture of millions of frames holds no more than this in memory. */
const CHUNK_BYTES = 64 * 1024;

/**
 * An append-only output file written in chunks, synchronously: what a run streams out (frame traces,
 * captures) costs one write per 64 KiB and never waits on the event loop, so virtual time stays
 * virtual. `close` writes the rest.
 */
export class BufferedFile {
  private readonly fd: number;
  private parts: Buffer[] = [];
  private size = 0;

  constructor(readonly path: string) {
    makeParentDirs(path);
    this.fd = openSync(path, 'w', 0o644);
  }

  write(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    writeSync(this.fd, Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
