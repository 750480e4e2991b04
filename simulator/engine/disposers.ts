import type { Logger } from '../tts/logger.js';

/**
 * One stack of clean-ups for everything a run acquires (network, sockets, MQTT, journal, the
 * registrations on the target): each is pushed as it is acquired and released in reverse order,
 * on success and on every failure path alike. A clean-up that fails is logged and the rest still run.
 */
export class Disposers {
  private readonly stack: { what: string; release: () => unknown }[] = [];

  constructor(private readonly log?: Logger) {}

  /** Registers a clean-up; `what` names it in the log if it fails. */
  defer(what: string, release: () => unknown): void {
    this.stack.push({ what, release });
  }

  /** Runs every clean-up, newest first, once; returns the errors of those that failed. */
  async dispose(): Promise<Error[]> {
    const errors: Error[] = [];
    for (let d = this.stack.pop(); d !== undefined; d = this.stack.pop()) {
      try {
        await d.release();
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        errors.push(err);
        this.log?.warn({ cleanup: d.what, error: err.message }, 'clean-up failed');
      }
    }
    return errors;
  }
}
