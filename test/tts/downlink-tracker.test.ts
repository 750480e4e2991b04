import { describe, expect, it } from 'vitest';
import { DownlinkTracker } from '../../simulator/tts/downlink-tracker.js';

const bytes = Uint8Array.of(1, 0xff);

describe('the downlink tracker', () => {
  it('tells a downlink the network had a chance to send from one whose device never sent an uplink after', () => {
    const t = new DownlinkTracker();
    t.scheduled({ deviceId: 'a', fPort: 10, bytes, correlationId: 'x', atUs: 1_000 });
    t.scheduled({ deviceId: 'b', fPort: 10, bytes, correlationId: 'y', atUs: 1_000 });
    t.scheduled({ deviceId: 'c', fPort: 10, bytes, correlationId: 'z', atUs: 1_000 });
    t.uplinkHeard('a', 500); // before it was queued: no chance
    t.uplinkHeard('b', 2_000);
    t.uplinkHeard('c', 2_000);
    expect(t.received('c', 10, bytes, 0, 'RX1')).toBe(true);
    expect(t.stats()).toMatchObject({ scheduled: 3, delivered: 1, undelivered: 2, noUplink: 1 });
    // Once delivered, later uplinks change nothing.
    t.uplinkHeard('a', 3_000);
    expect(t.stats()).toMatchObject({ delivered: 1, noUplink: 0 });
  });
});
