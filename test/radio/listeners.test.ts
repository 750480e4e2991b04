import { describe, expect, it } from 'vitest';
import { ListenerIndex } from '../../simulator/radio/listeners.js';

const JOIN_ACCEPT = Uint8Array.of(0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
/** An unconfirmed data downlink to DevAddr 0x26011234 (little-endian on air). */
const DATA_DOWN = Uint8Array.of(0x60, 0x34, 0x12, 0x01, 0x26, 0, 0, 0, 0, 0, 0, 0);

describe('ListenerIndex', () => {
  it('offers a downlink to devices whose RX1 or RX2 opens within the slack of its start', () => {
    const l = new ListenerIndex(100_000, 50_000);
    l.windows('a', [5_000_000, 6_000_000], 0);
    l.windows('b', [5_400_000, 6_400_000], 0);
    expect([...l.candidates(5_000_000, JOIN_ACCEPT)]).toEqual(['a']);
    expect([...l.candidates(6_020_000, JOIN_ACCEPT)]).toEqual(['a']);
    expect([...l.candidates(5_390_000, JOIN_ACCEPT)]).toEqual(['b']);
    // Early or late by up to the slack: still offered, so a device can report the network's mistake.
    expect(l.candidates(4_920_000, JOIN_ACCEPT).has('a')).toBe(true);
    // Far from every window: nobody listens.
    expect(l.candidates(5_700_000, JOIN_ACCEPT).size).toBe(0);
  });

  it('always offers a data downlink to its addressee, whenever it is sent', () => {
    const l = new ListenerIndex();
    l.address(0x26011234, 'dev-7');
    expect([...l.candidates(123_456_789, DATA_DOWN)]).toEqual(['dev-7']);
    l.address(0x26011234, 'dev-8'); // the address now belongs to another session
    expect([...l.candidates(1, DATA_DOWN)]).toEqual(['dev-8']);
    expect(l.candidates(1, JOIN_ACCEPT).size).toBe(0);
  });

  it('always offers downlinks to continuously listening (class C) devices, until they stop', () => {
    const l = new ListenerIndex();
    l.continuous('c-1');
    expect([...l.candidates(42, JOIN_ACCEPT)]).toEqual(['c-1']);
    l.continuous('c-1', false);
    expect(l.candidates(42, JOIN_ACCEPT).size).toBe(0);
  });

  it('forgets windows more than ten seconds in the past', () => {
    const l = new ListenerIndex(100_000, 50_000);
    l.windows('old', [1_000_000], 0);
    expect(l.candidates(1_000_000, JOIN_ACCEPT).has('old')).toBe(true);
    l.windows('new', [30_000_000], 20_000_000);
    expect(l.candidates(1_000_000, JOIN_ACCEPT).has('old')).toBe(false);
    expect(l.candidates(30_000_000, JOIN_ACCEPT).has('new')).toBe(true);
  });
});
