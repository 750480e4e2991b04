import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EventStreamParser,
  failureReason,
  subscriptionIdentifiers,
} from '../../simulator/tts/events-stream.js';

const recorded = readFileSync(new URL('../fixtures/events-stream.txt', import.meta.url), 'utf8');

describe('events stream framing', () => {
  it('parses {"result": …} objects separated by blank lines, and error objects', () => {
    const { events, errors } = new EventStreamParser().push(recorded);
    expect(events.map((e) => e.name)).toEqual([
      'events.stream.start',
      'ns.up.join.receive',
      'js.join.reject',
      'ns.up.data.drop',
    ]);
    expect(errors).toEqual([{ code: 14, message: 'error:pkg/events:stream_closed (stream closed)' }]);
  });

  it('gives the same messages however the stream is cut into chunks, and with single-newline framing', () => {
    for (const size of [1, 7, 64, 1000]) {
      const p = new EventStreamParser();
      const names: string[] = [];
      for (let i = 0; i < recorded.length; i += size)
        names.push(...p.push(recorded.slice(i, i + size)).events.map((e) => e.name));
      expect(names).toHaveLength(4);
    }
    const single = recorded.replace(/\n\n/g, '\n');
    expect(new EventStreamParser().push(single).events).toHaveLength(4);
  });

  it("names the stack's reason for a failure", () => {
    const { events } = new EventStreamParser().push(recorded);
    expect(events.map(failureReason)).toEqual([
      undefined,
      undefined,
      'js.join.reject: dev_nonce_too_small',
      'ns.up.data.drop: device_not_found',
    ]);
  });

  it('subscribes per device (application subscriptions miss ns.up.*) and per gateway', () => {
    expect(subscriptionIdentifiers('app1', ['d1'], ['gw1'])).toEqual([
      { device_ids: { device_id: 'd1', application_ids: { application_id: 'app1' } } },
      { gateway_ids: { gateway_id: 'gw1' } },
    ]);
  });
});
