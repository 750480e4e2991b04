import type { Expanded } from '../scenario/expand.js';
import { classifyEvent, followEvents, type EventVerdict } from '../tts/events-stream.js';
import type { Logger } from '../tts/logger.js';
import type { Disposers } from './disposers.js';
import type { RunTarget } from './target.js';

/** Marks reasons that concern one gateway path, not the downlink: the network tried the next one. */
export const GATEWAY_PATH = 'one gateway path (the network tries the next): ';

/**
 * A network explains its refusals only on the events stream: follow it (whom, the target says) the
 * same way for TTS and the embedded network, classify what it says, until `cleanup` unwinds.
 */
export async function followRefusals(
  target: RunTarget,
  applicationId: string,
  x: Expanded,
  cleanup: Disposers,
  log: Logger,
  onVerdict: (v: EventVerdict) => void,
): Promise<void> {
  const events = new AbortController();
  const following = await followEvents(
    target.client,
    target.eventIdentifiers(applicationId, x),
    (e) => {
      const v = classifyEvent(e);
      if (v !== undefined) onVerdict(v);
    },
    events.signal,
    { logger: log, ...(target.eventNames ? { names: target.eventNames } : {}) },
  );
  cleanup.defer('events stream', async () => {
    events.abort();
    await following.done;
  });
}
