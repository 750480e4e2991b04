import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileNames } from '../../network/events.js';
import {
  EventStreamParser,
  FAILURE_EVENT_NAMES,
  classifyEvent,
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

  it('asks for every event it reads and none of the per-uplink ones (names the stream filters by)', () => {
    const wanted = compileNames(FAILURE_EVENT_NAMES);
    const read = [
      'js.join.reject',
      'ns.up.data.drop',
      'ns.up.join.drop',
      'gs.up.drop',
      'as.up.data.drop',
      'gs.down.schedule.fail',
      'gs.down.tx.fail',
      'ns.down.data.schedule.fail',
      'ns.down.join.schedule.fail',
      'as.down.data.failed.forward',
      'gs.txack.receive',
      'gs.txack.receive.result',
    ];
    for (const name of read) expect(wanted.test(name), name).toBe(true);
    const perUplink = ['gs.up.receive', 'ns.up.data.receive', 'ns.up.data.process', 'as.up.data.forward'];
    for (const name of perUplink) {
      expect(wanted.test(name), name).toBe(false);
      expect(classifyEvent({ name, time: '2026-01-01T00:00:00Z', data: {} }), name).toBeUndefined();
    }
  });

  it('subscribes per device (application subscriptions miss ns.up.*) and per gateway', () => {
    expect(subscriptionIdentifiers('app1', ['d1'], ['gw1'])).toEqual([
      { device_ids: { device_id: 'd1', application_ids: { application_id: 'app1' } } },
      { gateway_ids: { gateway_id: 'gw1' } },
    ]);
  });

  // Shapes as TTS v3.32 publishes them (tts-api.md Part 4): per-gateway scheduling failures carry
  // nested causes and are followed by a success on another path; TX_ACK results are enum numbers.
  it.each([
    [
      'a gateway path that could not take the downlink, with its nested cause',
      {
        name: 'gs.down.schedule.fail',
        data: {
          namespace: 'pkg/gatewayserver',
          name: 'rx_window_schedule',
          cause: { namespace: 'pkg/gatewayserver/scheduling', name: 'conflict' },
        },
      },
      { kind: 'gateway-path', reason: 'gs.down.schedule.fail: rx_window_schedule → conflict' },
    ],
    [
      'a TX_ACK COLLISION_PACKET ({"value": 4})',
      { name: 'gs.txack.receive.result', data: { value: 4 } },
      { kind: 'gateway-path', reason: 'gs.txack.receive.result: COLLISION_PACKET' },
    ],
    ['a TX_ACK success (value 0, omitted)', { name: 'gs.txack.receive.result', data: {} }, undefined],
    [
      'a downlink the AS could not forward, with its error',
      {
        name: 'as.down.data.failed.forward',
        data: { error: { name: 'no_device_session', namespace: 'pkg/networkserver' } },
      },
      { kind: 'downlink-failure', reason: 'as.down.data.failed.forward: no_device_session' },
    ],
    [
      'a join the JS refused',
      { name: 'js.join.reject', data: { name: 'dev_nonce_too_small' } },
      { kind: 'rejection', reason: 'js.join.reject: dev_nonce_too_small' },
    ],
    [
      'an uplink the NS dropped',
      { name: 'ns.up.data.drop', data: { name: 'f_cnt_too_low' } },
      { kind: 'rejection', reason: 'ns.up.data.drop: f_cnt_too_low' },
    ],
    [
      'an uplink the NS dropped, of a device its identifiers name',
      {
        name: 'ns.up.data.drop',
        identifiers: [{ device_ids: { device_id: 'meters-7', application_ids: { application_id: 'a' } } }],
        data: { name: 'fcnt_replay' },
      },
      { kind: 'rejection', reason: 'ns.up.data.drop: fcnt_replay', deviceId: 'meters-7' },
    ],
    [
      'a Join-accept no gateway path could take, of a device its identifiers name',
      {
        name: 'ns.down.join.schedule.fail',
        identifiers: [{ device_ids: { device_id: 'meters-3', application_ids: { application_id: 'a' } } }],
        data: { name: 'tx_schedule' },
      },
      {
        kind: 'downlink-failure',
        reason: 'ns.down.join.schedule.fail: tx_schedule',
        notScheduled: { deviceId: 'meters-3', kind: 'join' },
      },
    ],
    [
      'a data downlink not scheduled, naming no device',
      { name: 'ns.down.data.schedule.fail', data: { name: 'tx_schedule' } },
      { kind: 'downlink-failure', reason: 'ns.down.data.schedule.fail: tx_schedule' },
    ],
    ['a success', { name: 'ns.down.data.schedule.success', data: {} }, undefined],
  ])('classifies %s', (_what, e, expected) => {
    expect(classifyEvent({ time: '2026-12-01T00:00:00Z', ...e })).toEqual(expected);
  });
});
