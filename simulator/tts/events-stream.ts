import { setTimeout as sleep } from 'node:timers/promises';
import type { TtsClient } from './http-client.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';

export interface TtsEvent {
  name: string;
  time: string;
  identifiers?: Record<string, unknown>[];
  data?: Record<string, unknown>;
  correlation_ids?: string[];
}

/**
 * Splits The Things Stack's events stream into messages. TTS writes `{"result": <Event>}` (or
 * `{"error": …}`) objects, each followed by a blank line for text/event-stream and by one newline
 * otherwise — not SSE `data:` lines. JSON objects contain no raw newlines, so lines are messages.
 */
export class EventStreamParser {
  private buf = '';

  push(chunk: string): { events: TtsEvent[]; errors: unknown[] } {
    this.buf += chunk;
    const lines = this.buf.split('\n');
    this.buf = lines.pop()!;
    const events: TtsEvent[] = [];
    const errors: unknown[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      let msg: { result?: TtsEvent; error?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        errors.push({ message: `not JSON: ${line.slice(0, 80)}` });
        continue;
      }
      if (msg.result) events.push(msg.result);
      else if (msg.error) errors.push(msg.error);
    }
    return { events, errors };
  }
}

/**
 * The reason an event gives for a failure, in TTS's own words: the error name of js.join.reject
 * (dev_nonce_too_small…), ns.up.data.drop, gs.up.drop, *.fail events.
 */
export function failureReason(e: TtsEvent): string | undefined {
  if (!/reject|drop|fail/.test(e.name)) return undefined;
  const d = e.data ?? {};
  const name =
    (d.name as string | undefined) ??
    (d.error as { name?: string } | undefined)?.name ??
    (d.cause as { name?: string } | undefined)?.name;
  return name ? `${e.name}: ${name}` : e.name;
}

/** Identifiers for a subscription: per device (application subscriptions miss ns.up.*) and per gateway. */
export function subscriptionIdentifiers(
  applicationId: string,
  deviceIds: readonly string[],
  gatewayIds: readonly string[],
): Record<string, unknown>[] {
  return [
    ...deviceIds.map((d) => ({
      device_ids: { device_id: d, application_ids: { application_id: applicationId } },
    })),
    ...gatewayIds.map((g) => ({ gateway_ids: { gateway_id: g } })),
  ];
}

/**
 * Opens the events stream and follows it until `signal` aborts, reconnecting with a growing pause
 * when it drops. Resolves once the first connection is up (a wrong URL or a key without rights
 * fails here, before anything else starts); `done` settles when following ends.
 */
export async function followEvents(
  client: TtsClient,
  identifiers: Record<string, unknown>[],
  onEvent: (e: TtsEvent) => void,
  signal: AbortSignal,
  o: { names?: string[]; logger?: Logger } = {},
): Promise<{ done: Promise<void> }> {
  const log = o.logger ?? silentLogger;
  const body = { identifiers, ...(o.names ? { names: o.names } : {}) };
  const first = await client.stream('/events', body, signal);
  const read = async (res: Response) => {
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const { events, errors } = parser.push(decoder.decode(chunk, { stream: true }));
      events.forEach(onEvent);
      if (errors.length > 0) log.warn({ errors }, 'events stream errors');
    }
  };
  const follow = async () => {
    let pause = 500;
    let res: Response | undefined = first;
    while (!signal.aborted) {
      try {
        await read(res ?? (await client.stream('/events', body, signal)));
        pause = 500;
      } catch (e) {
        if (signal.aborted) return;
        log.warn({ error: (e as Error).message }, 'events stream dropped; reconnecting');
      }
      res = undefined;
      // An abortable pause: teardown must not wait out a back-off.
      await sleep(pause, undefined, { signal }).catch(() => undefined);
      pause = Math.min(pause * 2, 30_000);
    }
  };
  return { done: follow() };
}
