import { setTimeout as sleep } from 'node:timers/promises';
import { TX_ACK_ERRORS } from '../semtech-udp/packets.js';
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
 * TX_ACK results as TTS's `TxAcknowledgment.Result` numbers them: SUCCESS (0, so omitted), then
 * UNKNOWN_ERROR, then the Semtech errors in the packet forwarder's order.
 */
const TX_ACK_RESULTS = ['SUCCESS', 'UNKNOWN_ERROR', ...TX_ACK_ERRORS.slice(1, 8)] as const;

/** What an event says the network did, for the report's "the network said" and its counts. */
export type EventVerdict =
  /** The network refused an uplink or a join (js.join.reject, ns.up.data.drop, …). */
  | { kind: 'rejection'; reason: string; deviceId?: string }
  /**
   * A downlink that did not go out at all; `notScheduled` names the device whose Join-accept or data
   * downlink no gateway path could take (`ns.down.join|data.schedule.fail`).
   */
  | { kind: 'downlink-failure'; reason: string; notScheduled?: { deviceId: string; kind: 'join' | 'data' } }
  /** One gateway path could not take a downlink; the NS tries the next (not a downlink failure). */
  | { kind: 'gateway-path'; reason: string };

type ErrorLike = { name?: string; cause?: ErrorLike; details?: ErrorLike[]; error?: ErrorLike };

/** An error's name with its causes: `rx_window_schedule → conflict`. */
function causeChain(d: ErrorLike | undefined): string | undefined {
  const names: string[] = [];
  for (let e = d, depth = 0; e !== undefined && depth < 8; depth++) {
    if (e.name) names.push(e.name);
    e = e.cause ?? e.details?.[0] ?? e.error;
  }
  return names.length > 0 ? names.join(' → ') : undefined;
}

/**
 * The events a run asks the stream for (`names` of StreamEventsRequest): those classifyEvent reads,
 * as patterns that match names TTS defines (a pattern matching none is refused: no_matching_events).
 * Everything else — a gs.up.receive per gateway an uplink, forwards — would cost the run more to read
 * than the traffic it follows.
 */
export const FAILURE_EVENT_NAMES: readonly string[] = ['/reject|drop|fail/', '/^gs\\.txack\\./'];

const REJECTIONS = /^(js\.join\.reject|ns\.up\.(data|join|rejoin)\.drop|gs\.up\.drop|as\.up\.data\.drop)$/;

/**
 * What a TTS event says went wrong, in TTS's own words, with nested causes; undefined for events
 * that report nothing wrong. `gs.down.schedule.fail` is per gateway path and counted apart: TTS
 * then tries the next gateway, so it is not a failed downlink (tts-api.md Part 4).
 */
export function classifyEvent(e: TtsEvent): EventVerdict | undefined {
  const d = (e.data ?? {}) as ErrorLike & { value?: number };
  if (e.name === 'gs.txack.receive.result') {
    const result = TX_ACK_RESULTS[d.value ?? 0] ?? `result ${d.value}`;
    return result === 'SUCCESS' ? undefined : { kind: 'gateway-path', reason: `${e.name}: ${result}` };
  }
  if (!/reject|drop|fail/.test(e.name)) return undefined;
  const chain = causeChain(d);
  const reason = chain ? `${e.name}: ${chain}` : e.name;
  if (REJECTIONS.test(e.name)) {
    const deviceId = deviceIdOf(e);
    return { kind: 'rejection', reason, ...(deviceId !== undefined ? { deviceId } : {}) };
  }
  if (e.name === 'gs.down.schedule.fail') return { kind: 'gateway-path', reason };
  const scheduleFail = /^ns\.down\.(join|data)\.schedule\.fail$/.exec(e.name);
  const deviceId = deviceIdOf(e);
  if (scheduleFail && deviceId !== undefined)
    return {
      kind: 'downlink-failure',
      reason,
      notScheduled: { deviceId, kind: scheduleFail[1] as 'join' | 'data' },
    };
  return { kind: 'downlink-failure', reason };
}

/** The device an event is about, when its identifiers name one. */
export function deviceIdOf(e: TtsEvent): string | undefined {
  for (const ids of e.identifiers ?? []) {
    const d = (ids as { device_ids?: { device_id?: unknown } }).device_ids?.device_id;
    if (typeof d === 'string') return d;
  }
  return undefined;
}

/** The reason an event gives for a failure (see classifyEvent), or undefined. */
export function failureReason(e: TtsEvent): string | undefined {
  return classifyEvent(e)?.reason;
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
