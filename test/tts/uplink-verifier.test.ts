import { describe, expect, it } from 'vitest';
import { deviceOfTopic, UplinkVerifier } from '../../simulator/tts/uplink-verifier.js';

const up = (id: string, fCnt: number, bytes: number[]) => ({
  end_device_ids: { device_id: id },
  uplink_message: { f_cnt: fCnt, frm_payload: Buffer.from(bytes).toString('base64') },
});

describe('UplinkVerifier', () => {
  it("one shard's verifier leaves the other shards' uplinks unparsed and uncounted", () => {
    const v = new UplinkVerifier(() => 1000);
    v.ours = (id) => id === 'mine';
    v.expect('mine', 3, Uint8Array.of(7), 900);
    const topic = (id: string) => `v3/app@tenant/devices/${id}/up`;
    v.receivePayload(topic('theirs'), Buffer.from('{ not JSON: never parsed'));
    v.receivePayload(topic('theirs'), Buffer.from(JSON.stringify(up('theirs', 1, [1]))));
    expect(v.stats()).toMatchObject({ delivered: 0, unexpected: 0 });
    v.receivePayload(topic('mine'), Buffer.from(JSON.stringify(up('mine', 3, [7]))));
    v.receivePayload(topic('mine'), Buffer.from('{ broken'));
    expect(v.stats()).toMatchObject({ delivered: 1, unexpected: 1, lost: 0 });
    // Without a shard, every device's uplink is this verifier's: one never sent is unexpected.
    const whole = new UplinkVerifier(() => 1000);
    whole.receivePayload(topic('theirs'), Buffer.from(JSON.stringify(up('theirs', 1, [1]))));
    expect(whole.stats().unexpected).toBe(1);
  });

  it('reads the device ID out of TTS topics', () => {
    expect(deviceOfTopic('v3/app@ttn/devices/dev-1/up')).toBe('dev-1');
    expect(deviceOfTopic('v3/app/devices/dev-2/down/queued')).toBe('dev-2');
    expect(deviceOfTopic('v3/app/devices/dev-3')).toBe('dev-3');
    expect(deviceOfTopic('v3/app/up')).toBe('');
  });

  it('matches arrivals to what was sent: delivered with latency, lost, duplicated, corrupted, unexpected', () => {
    let now = 1000;
    const seen: number[] = [];
    const v = new UplinkVerifier(
      () => now,
      (ms) => seen.push(ms),
    );
    v.expect('a', 0, Uint8Array.of(1), 900);
    v.expect('a', 1, Uint8Array.of(2), 950);
    v.expect('b', 7, Uint8Array.of(3), 990);
    v.expect('b', 8, Uint8Array.of(4), 995);
    v.receive(up('a', 0, [1]));
    now = 1200;
    v.receive(up('a', 1, [2]));
    v.receive(up('a', 1, [2])); // again: a duplicate
    v.receive(up('b', 7, [9])); // other bytes: corrupted
    v.receive(up('b', 7, [3])); // and the same frame again after that: a duplicate
    v.receive(up('c', 1, [1])); // never sent
    expect(seen).toEqual([100, 250]);
    const s = v.stats();
    expect(s).toMatchObject({
      expected: 4,
      delivered: 2,
      lost: 1,
      duplicated: 2,
      corrupted: 1,
      unexpected: 1,
    });
    expect(s.latencyMs.count).toBe(2);
    expect(s.latencyMs.max).toBe(250);
    expect(v.live()).toMatchObject({ delivered: 2 });
  });

  it('reads frm_payload by its bytes: unpadded or URL-safe base64 is the same uplink, other bytes are not', () => {
    const v = new UplinkVerifier(() => 0);
    const bytes = Uint8Array.of(0xfb, 0xff, 0x01, 0x02);
    v.expect('d', 1, bytes, 0);
    v.expect('d', 2, bytes, 0);
    v.expect('d', 3, bytes, 0);
    v.expect('d', 4, Uint8Array.of(), 0);
    const msg = (fCnt: number, frm_payload?: string) => ({
      end_device_ids: { device_id: 'd' },
      uplink_message: { f_cnt: fCnt, ...(frm_payload === undefined ? {} : { frm_payload }) },
    });
    v.receive(msg(1, '+/8BAg')); // unpadded
    v.receive(msg(2, '-_8BAg==')); // URL-safe alphabet
    v.receive(msg(3, '+/8BAw==')); // one bit off
    v.receive(msg(4)); // no payload: TTS leaves an empty frm_payload out
    expect(v.stats()).toMatchObject({ delivered: 3, corrupted: 1 });
  });

  it('puts a received uplink lost while the simulator ran late (the network on its thread) down to the simulator', () => {
    const v = new UplinkVerifier(() => 0);
    for (const f of [1, 2, 3, 4]) v.expect('d', f, Uint8Array.of(f), 0);
    v.radio('d', 1, 'received', true); // late: the simulator's
    v.radio('d', 2, 'received', false); // on time: the network's
    v.radio('d', 3, 'out-of-range', true); // the radio's, whatever the lag
    v.radio('d', 4, 'received', true);
    v.refused('d'); // a refusal the network explained comes first
    expect(v.lossesByReason()).toEqual({
      'out-of-range': 1,
      collided: 0,
      refused: 1,
      network: 1,
      'simulator-late': 1,
    });
  });

  it('recognises duplicates among the last 32 frames of a device, in any order of arrival', () => {
    const v = new UplinkVerifier(() => 0);
    for (let f = 0; f < 100; f++) v.expect('d', f, Uint8Array.of(f), 0);
    const order = [...Array(100).keys()].sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    for (const f of order) v.receive(up('d', f, [f]));
    for (const f of [99, 90, 68]) v.receive(up('d', f, [f]));
    expect(v.stats()).toMatchObject({ delivered: 100, lost: 0, duplicated: 3, unexpected: 0 });
    // Older than the last 32: no longer told from a frame that was never sent.
    v.receive(up('d', 3, [3]));
    expect(v.stats()).toMatchObject({ duplicated: 3, unexpected: 1 });
  });

  it('keeps only what is in flight: delivered uplinks leave nothing behind but a per-device summary', () => {
    const v = new UplinkVerifier(() => 0);
    for (let d = 0; d < 50; d++) for (let f = 0; f < 20; f++) v.expect(`dev-${d}`, f, Uint8Array.of(f), 0);
    for (let d = 0; d < 50; d++) for (let f = 0; f < 20; f++) v.receive(up(`dev-${d}`, f, [f]));
    const inside = v as unknown as { pending: Map<string, unknown>; arrived: Map<string, unknown> };
    expect(inside.pending.size).toBe(0);
    expect(inside.arrived.size).toBe(50);
    expect(v.stats()).toMatchObject({ expected: 1000, delivered: 1000, lost: 0 });
  });

  it('puts a lost uplink the radio delivered down to the network refusing it, one refusal an uplink', () => {
    const v = new UplinkVerifier(() => 0);
    for (const fCnt of [1, 2, 3]) {
      v.expect('a', fCnt, Uint8Array.of(fCnt), 0);
      v.radio('a', fCnt, 'received');
    }
    v.expect('b', 1, Uint8Array.of(1), 0);
    v.radio('b', 1, 'collided');
    v.refused('a');
    v.refused('a');
    v.refused('b'); // b's uplink never reached the network: the radio's reason stands
    expect(v.lossesByReason()).toEqual({
      'out-of-range': 0,
      collided: 1,
      refused: 2,
      network: 1,
      'simulator-late': 0,
    });
  });

  it('keeps several uplinks of one device in flight apart, whatever order they arrive or are lost in', () => {
    const v = new UplinkVerifier(() => 100);
    for (const f of [10, 11, 12, 13]) v.expect('a', f, Uint8Array.of(f), 0);
    v.radio('a', 11, 'collided');
    v.radio('a', 13, 'out-of-range');
    v.radio('a', 12, 'received', true);
    v.receive(up('a', 12, [12])); // from the middle of the device's list
    v.receive(up('a', 10, [10])); // the oldest
    v.receive(up('a', 12, [12])); // again: a duplicate, not a second delivery
    expect(v.stats()).toMatchObject({ expected: 4, delivered: 2, duplicated: 1, lost: 2 });
    expect(v.lossesByReason()).toMatchObject({ collided: 1, 'out-of-range': 1, network: 0 });
    // The same FCnt expected again is judged afresh: its earlier radio fate is gone, and it counts once.
    v.expect('a', 11, Uint8Array.of(99), 50);
    v.radio('a', 11, 'received');
    expect(v.stats().expected).toBe(4);
    expect(v.lossesByReason()).toMatchObject({ collided: 0, 'out-of-range': 1, network: 1 });
    v.receive(up('a', 11, [11])); // the bytes sent first are no longer what must arrive
    expect(v.stats()).toMatchObject({ corrupted: 1, lost: 1 });
  });
});
