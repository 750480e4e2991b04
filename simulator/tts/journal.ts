import { existsSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { cutTornLine } from '../state/torn-line.js';

export type Step = 'is' | 'js' | 'ns' | 'as';

type Entry =
  | { t: 'app-created'; app: string }
  | { t: 'api-key'; app: string; id: string }
  | { t: 'api-key-deleted'; id: string }
  | { t: 'gateway'; id: string }
  | { t: 'device'; id: string; step: Step }
  | { t: 'device-removed'; id: string }
  /** The target no longer has a gateway the journal recorded (its state was lost): register it again. */
  | { t: 'gateway-forgotten'; id: string }
  | { t: 'teardown-done' }
  /** Soft deletes this journal's runs made: TTS keeps the IDs taken, so a rerun restores them. */
  | { t: 'app-deleted'; app: string }
  | { t: 'gateway-deleted'; id: string }
  | { t: 'restored'; id: string };

/**
 * What provisioning has done, one JSON line per step, written as each step succeeds: an interrupted
 * run continues where it stopped, and teardown knows what this run created. The API key itself is
 * never written (only its id).
 */
/** A bit per registry step: a journal of a million devices holds a number each, not a Set. */
const STEP_BIT: Record<Step, number> = { is: 1, js: 2, ns: 4, as: 8 };

export class Journal {
  /** Device ID → the steps done, as STEP_BIT flags. */
  readonly steps = new Map<string, number>();
  readonly gateways = new Set<string>();
  readonly apiKeyIds = new Set<string>();
  appCreated: string | undefined;
  /** Applications and gateways a teardown of this journal soft-deleted, not yet restored or purged. */
  readonly softDeleted = new Set<string>();
  private fd: number | undefined;
  /** Set when the journal's last line was torn and cut off (see cutTornLine). */
  readonly repaired: string | undefined;

  constructor(readonly file?: string) {
    if (file && existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      this.repaired = cutTornLine(file, text);
      for (const line of text.split('\n')) {
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
      case 'api-key-deleted':
        this.apiKeyIds.delete(e.id);
        break;
      case 'gateway':
        this.gateways.add(e.id);
        break;
      case 'device': {
        this.steps.set(e.id, (this.steps.get(e.id) ?? 0) | STEP_BIT[e.step]);
        break;
      }
      case 'device-removed':
        this.steps.delete(e.id);
        break;
      case 'gateway-forgotten':
        this.gateways.delete(e.id);
        break;
      case 'app-deleted':
        this.softDeleted.add(`app:${e.app}`);
        break;
      case 'gateway-deleted':
        this.softDeleted.add(`gateway:${e.id}`);
        break;
      case 'restored':
        this.softDeleted.delete(e.id);
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
    return ((this.steps.get(id) ?? 0) & STEP_BIT[step]) !== 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
