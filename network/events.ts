import { randomUUID } from 'node:crypto';
import { LorafleetError } from '../crypto/errors.js';
import { isoTime } from './iso-time.js';

/** An entity an event is about, as The Things Stack's EntityIdentifiers. */
export type EntityIds =
  | { application_ids: { application_id: string } }
  | {
      device_ids: {
        device_id: string;
        application_ids: { application_id: string };
        dev_eui?: string;
        join_eui?: string;
        dev_addr?: string;
      };
    }
  | { gateway_ids: { gateway_id: string; eui?: string } };

/** The application an identifier belongs to (a gateway belongs to none). */
export function applicationOf(i: EntityIds): string | undefined {
  if ('application_ids' in i) return i.application_ids.application_id;
  if ('device_ids' in i) return i.device_ids.application_ids.application_id;
  return undefined;
}

export interface NetworkEvent {
  name: string;
  time: string;
  identifiers: EntityIds[];
  data?: Record<string, unknown>;
  correlation_ids: string[];
  origin: string;
  unique_id: string;
}

/** Events TTS propagates from a device to its application's subscribers (as.*, js.join.*, ns.*.fail…). */
function propagatesToApplication(name: string): boolean {
  return (
    name.startsWith('as.') ||
    name.startsWith('js.join.') ||
    name === 'ns.up.join.process' ||
    name.endsWith('.fail')
  );
}

export interface Subscription {
  identifiers: EntityIds[];
  /** Exact names or /regex/ patterns; empty = all. */
  names: string[];
  send(e: NetworkEvent): void;
}

/** The network's event bus and the source of the events stream. */
export class EventBus {
  private readonly subs = new Set<Subscription>();

  /** `clockMs`: UTC ms now, as the network sees it (the run's scheduler). */
  constructor(private readonly clockMs: () => number = Date.now) {}

  /** The network's time now, ISO 8601 (what its messages and events are stamped with). */
  nowIso(): string {
    return isoTime(this.clockMs());
  }

  /** Events by name, for reports and tests. */
  readonly counts = new Map<string, number>();

  subscribe(s: Subscription): () => void {
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  /** Open subscriptions (events streams that have not closed). */
  subscriberCount(): number {
    return this.subs.size;
  }

  /**
   * Counts the event and sends it to the streams that match. The event itself (IDs, time) is made
   * only for a stream that wants it: most of a load test's events have no listener.
   */
  publish(
    name: string,
    identifiers: EntityIds[],
    /** Its data, or a function that makes it: only called when some stream wants the event. */
    data?: Record<string, unknown> | (() => Record<string, unknown>),
    time?: string,
  ): NetworkEvent | undefined {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    let e: NetworkEvent | undefined;
    for (const s of this.subs) {
      if (!matches(s, name, identifiers)) continue;
      if (e === undefined) {
        const d = typeof data === 'function' ? data() : data;
        e = {
          name,
          time: time ?? this.nowIso(),
          identifiers,
          ...(d === undefined ? {} : { data: d }),
          correlation_ids: [`lorafleet:${randomUUID()}`],
          origin: 'lorafleet-embedded',
          unique_id: randomUUID(),
        };
      }
      s.send(e);
    }
    return e;
  }
}

function matches(s: Subscription, name: string, identifiers: EntityIds[]): boolean {
  // Identifiers first: cheap, and most events concern other entities.
  if (!s.identifiers.some((want) => identifiers.some((have) => idMatches(want, have, name)))) return false;
  return s.names.length === 0 || nameFilter(s).test(name);
}

/** A subscription's `names`, compiled once (see compileNames), kept with the subscription. */
const filters = new WeakMap<Subscription, NameFilter>();
function nameFilter(s: Subscription): NameFilter {
  let f = filters.get(s);
  if (f === undefined) {
    f = compileNames(s.names);
    filters.set(s, f);
  }
  return f;
}

export interface NameFilter {
  test(name: string): boolean;
}

/** A `names` entry the events stream cannot take, with why. */
export class EventNamesError extends LorafleetError {
  constructor(
    readonly pattern: string,
    message: string,
  ) {
    super('LORAFLEET_EVENT_NAMES', message);
  }
}

const MAX_NAMES = 64;
const MAX_PATTERN = 128;

/**
 * Compiles an events-stream `names` filter: exact names, or regular expressions between slashes, as
 * TTS documents. TTS matches with Go's RE2 (linear time); here a pattern must be RE2-like — no
 * backreferences or lookaround, no quantified group that itself holds a quantifier — so that no
 * client can make matching take exponential time. Refused patterns throw EventNamesError.
 */
export function compileNames(names: readonly unknown[]): NameFilter {
  if (names.length > MAX_NAMES) throw new EventNamesError('', `at most ${MAX_NAMES} names`);
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const n of names) {
    if (typeof n !== 'string' || n.length === 0 || n.length > MAX_PATTERN)
      throw new EventNamesError(
        String(n).slice(0, 64),
        `a name is a string of 1 to ${MAX_PATTERN} characters`,
      );
    if (n.length > 2 && n.startsWith('/') && n.endsWith('/')) patterns.push(compilePattern(n));
    else exact.add(n);
  }
  return { test: (name) => exact.has(name) || patterns.some((p) => p.test(name)) };
}

function compilePattern(n: string): RegExp {
  const body = n.slice(1, -1);
  if (/\\[1-9k]|\(\?[=!<]/.test(body))
    throw new EventNamesError(n, `pattern ${n}: backreferences and lookaround are not supported (RE2)`);
  if (nestedQuantifier(body))
    throw new EventNamesError(n, `pattern ${n}: a repeated group that repeats inside is not supported`);
  try {
    return new RegExp(body);
  } catch (e) {
    throw new EventNamesError(n, `pattern ${n}: ${(e as Error).message}`);
  }
}

/** Whether a group holding a quantifier is itself quantified, as in `(a+)+` or `((x)*){2,}`. */
function nestedQuantifier(re: string): boolean {
  const stack: boolean[] = [false];
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : false;
      const next = re[i + 1];
      const quantified = next === '+' || next === '*' || next === '{' || next === '?';
      if (inner && quantified && next !== '?') return true;
      if (inner || quantified) stack[stack.length - 1] = true;
    } else if (c === '+' || c === '*' || c === '{') stack[stack.length - 1] = true;
  }
  return false;
}

function idMatches(want: EntityIds, have: EntityIds, name: string): boolean {
  if ('gateway_ids' in want)
    return 'gateway_ids' in have && have.gateway_ids.gateway_id === want.gateway_ids.gateway_id;
  if ('device_ids' in want) {
    return (
      'device_ids' in have &&
      have.device_ids.device_id === want.device_ids.device_id &&
      have.device_ids.application_ids.application_id === want.device_ids.application_ids.application_id
    );
  }
  const app = want.application_ids.application_id;
  if ('application_ids' in have) return have.application_ids.application_id === app;
  // A device event reaches an application subscription only when TTS propagates it.
  return (
    'device_ids' in have &&
    have.device_ids.application_ids.application_id === app &&
    propagatesToApplication(name)
  );
}
