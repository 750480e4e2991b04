import { randomUUID } from 'node:crypto';

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
  /** Events by name, for reports and tests. */
  readonly counts = new Map<string, number>();

  subscribe(s: Subscription): () => void {
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  publish(
    name: string,
    identifiers: EntityIds[],
    data?: Record<string, unknown>,
    time = new Date().toISOString(),
  ): NetworkEvent {
    const e: NetworkEvent = {
      name,
      time,
      identifiers,
      ...(data === undefined ? {} : { data }),
      correlation_ids: [`lorafleet:${randomUUID()}`],
      origin: 'lorafleet-embedded',
      unique_id: randomUUID(),
    };
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    for (const s of this.subs) if (matches(s, e)) s.send(e);
    return e;
  }
}

function matches(s: Subscription, e: NetworkEvent): boolean {
  if (s.names.length > 0 && !s.names.some((n) => nameMatches(n, e.name))) return false;
  return s.identifiers.some((want) => e.identifiers.some((have) => idMatches(want, have, e.name)));
}

function nameMatches(pattern: string, name: string): boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/'))
    return new RegExp(pattern.slice(1, -1)).test(name);
  return pattern === name;
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
