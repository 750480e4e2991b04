import { existsSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';

export type Step = 'is' | 'js' | 'ns' | 'as';

type Entry =
  | { t: 'app-created'; app: string }
  | { t: 'api-key'; app: string; id: string }
  | { t: 'gateway'; id: string }
  | { t: 'device'; id: string; step: Step }
  | { t: 'device-removed'; id: string }
  | { t: 'teardown-done' };

/**
 * What provisioning has done, one JSON line per step, written as each step succeeds: an interrupted
 * run continues where it stopped, and teardown knows what this run created. The API key itself is
 * never written (only its id).
 */
export class Journal {
  readonly steps = new Map<string, Set<Step>>();
  readonly gateways = new Set<string>();
  readonly apiKeyIds = new Set<string>();
  appCreated: string | undefined;
  private fd: number | undefined;

  constructor(readonly file?: string) {
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.apply(JSON.parse(line) as Entry);
        } catch {
          // a line torn by a crash: the step it described is redone (every step is idempotent)
        }
      }
    }
    if (file) this.fd = openSync(file, 'a', 0o600);
  }

  private apply(e: Entry): void {
    switch (e.t) {
      case 'app-created':
        this.appCreated = e.app;
        break;
      case 'api-key':
        this.apiKeyIds.add(e.id);
        break;
      case 'gateway':
        this.gateways.add(e.id);
        break;
      case 'device': {
        const s = this.steps.get(e.id) ?? new Set<Step>();
        s.add(e.step);
        this.steps.set(e.id, s);
        break;
      }
      case 'device-removed':
        this.steps.delete(e.id);
        break;
      case 'teardown-done':
        this.steps.clear();
        this.gateways.clear();
        this.apiKeyIds.clear();
        this.appCreated = undefined;
    }
  }

  record(e: Entry): void {
    this.apply(e);
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(e)}\n`);
  }

  done(id: string, step: Step): boolean {
    return this.steps.get(id)?.has(step) ?? false;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
