import { describe, expect, it } from 'vitest';
import { ListenerIndex, type RxWindowOnAir } from '../../simulator/radio/listeners.js';

const JOIN_ACCEPT = Uint8Array.of(0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
/** An unconfirmed data downlink to DevAddr 0x26011234 (little-endian on air). */
const DATA_DOWN = Uint8Array.of(0x60, 0x34, 0x12, 0x01, 0x26, 0, 0, 0, 0, 0, 0, 0);
const F1 = 868_100_000;
const F2 = 868_300_000;
const RX2 = 869_525_000;

/** RX1 on `f1` at `openUs`, RX2 a second later on 869.525 MHz, ±20 ms. */
function rx(openUs: number, f1 = F1): RxWindowOnAir[] {
  return [
    { openUs, frequency: f1, toleranceUs: 20_000 },
    { openUs: openUs + 1_000_000, frequency: RX2, toleranceUs: 20_000 },
  ];
}

const nobody = () => false;

describe('ListenerIndex', () => {
  it('offers a downlink to devices with a window open at that moment on that frequency', () => {
    const l = new ListenerIndex(100_000, 50_000);
    l.windows('a', rx(5_000_000), 0);
    l.windows('b', rx(5_010_000, F2), 0);
    l.windows('c', rx(5_400_000), 0);
    expect([...l.candidates(5_000_000, F1, JOIN_ACCEPT, nobody).ids]).toEqual(['a']);
    expect([...l.candidates(5_005_000, F2, JOIN_ACCEPT, nobody).ids]).toEqual(['b']);
    expect([...l.candidates(6_015_000, RX2, JOIN_ACCEPT, nobody).ids].sort()).toEqual(['a', 'b']);
    expect([...l.candidates(5_390_000, F1, JOIN_ACCEPT, nobody).ids]).toEqual(['c']);
    // 30 ms late is outside a ±20 ms window: the radio is not listening any more.
    expect(l.candidates(5_030_000, F1, JOIN_ACCEPT, nobody).ids.size).toBe(0);
    // Far from every window: nobody listens.
    expect(l.candidates(5_700_000, F1, JOIN_ACCEPT, nobody).ids.size).toBe(0);
  });

  it("finds a Join-accept's addressee by key, nearest window first, trying few keys", () => {
    const l = new ListenerIndex(100_000, 50_000);
    for (let i = 0; i < 50; i++) l.windows(`d${i}`, rx(5_000_000 + i * 1_000), 0);
    const tried: string[] = [];
    const opens = (mine: string) => (id: string) => {
      tried.push(id);
      return id === mine;
    };
    const right = l.candidates(5_020_000, F1, JOIN_ACCEPT, opens('d20'));
    expect(right.addressee).toBe('d20');
    expect(right.joinAccept).toBe(true);
    expect(tried).toEqual(['d20']);
    // Sent 60 ms after d3's RX1 opened (outside its window): still found, so d3 can report it.
    tried.length = 0;
    const late = l.candidates(5_063_000, F1, JOIN_ACCEPT, opens('d3'));
    expect(late.addressee).toBe('d3');
    expect(late.ids.has('d3')).toBe(true);
    expect(tried.length).toBeLessThan(50);
    // Nobody's key opens it: every device within the slack was asked once, and the answer is null.
    tried.length = 0;
    const foreign = l.candidates(5_020_000, F1, JOIN_ACCEPT, opens('elsewhere'));
    expect(foreign.addressee).toBeNull();
    expect(new Set(tried).size).toBe(tried.length);
    expect(tried.length).toBe(50);
  });

  it('offers an addressee whose windows are elsewhere (the network on the wrong channel)', () => {
    const l = new ListenerIndex(100_000, 50_000);
    l.windows('a', rx(5_000_000, F2), 0);
    const r = l.candidates(5_000_000, F1, JOIN_ACCEPT, (id) => id === 'a');
    expect([...r.ids]).toEqual(['a']);
    expect(r.addressee).toBe('a');
  });

  it('always offers a data downlink to its addressee, whenever it is sent', () => {
    const l = new ListenerIndex();
    l.address(0x26011234, 'dev-7');
    const r = l.candidates(123_456_789, F1, DATA_DOWN, nobody);
    expect([...r.ids]).toEqual(['dev-7']);
    expect(r.addressee).toBe('dev-7');
    expect(r.joinAccept).toBe(false);
    l.address(0x26011234, 'dev-8'); // the address now belongs to another session
    expect([...l.candidates(1, F1, DATA_DOWN, nobody).ids]).toEqual(['dev-8']);
    expect(l.candidates(1, F1, JOIN_ACCEPT, nobody).ids.size).toBe(0);
  });

  it('always offers downlinks to continuously listening (class C) devices, until they stop', () => {
    const l = new ListenerIndex();
    l.continuous('c-1');
    expect([...l.candidates(42, F1, JOIN_ACCEPT, nobody).ids]).toEqual(['c-1']);
    expect(l.candidates(42, F1, JOIN_ACCEPT, (id) => id === 'c-1').addressee).toBe('c-1');
    l.continuous('c-1', false);
    expect(l.candidates(42, F1, JOIN_ACCEPT, nobody).ids.size).toBe(0);
  });

  it('forgets windows more than ten seconds in the past', () => {
    const l = new ListenerIndex(100_000, 50_000);
    l.windows('old', rx(1_000_000), 0);
    expect(l.candidates(1_000_000, F1, JOIN_ACCEPT, nobody).ids.has('old')).toBe(true);
    l.windows('new', rx(30_000_000), 20_000_000);
    expect(l.candidates(1_000_000, F1, JOIN_ACCEPT, nobody).ids.has('old')).toBe(false);
    expect(l.candidates(30_000_000, F1, JOIN_ACCEPT, nobody).ids.has('new')).toBe(true);
  });
});
