import { CodecError } from '../lorawan/errors.js';
import { decodePHYPayload } from '../lorawan/phy-payload.js';
import { rx1DataRate, rx1Frequency } from '../region/channels.js';
import type { HeardDownlink, RefusedDownlink, UnheardDownlink, Window } from './types.js';
import { type Cycle } from './device-internal.js';
import type { VirtualDevice } from './device.js';
import { join, joinAcceptIsMine, receiveJoinAccept } from './join.js';
import { kick, sendData } from './uplink.js';
import { receiveData } from './downlink.js';
import { inPingSlot } from './class-b.js';

/*
 * Receive windows: RX1/RX2 (and class C RXC) opened after each uplink, what the radio heard in them,
 * and what was missed.
 */

/** Class A receive windows after a transmission (LoRaWAN 1.1 §3.3; join: JOIN_ACCEPT_DELAY1/2). */
export function openWindows(
  dev: VirtualDevice,
  kind: 'join' | 'rejoin' | 'data',
  choice: { channel: number; frequency: number },
  upDr: number,
  txEnd: number,
): void {
  const c = dev.cycle!;
  c.firstTxEnd ??= txEnd;
  c.txEnd = txEnd;
  const r = dev.config.region;
  const joining = kind !== 'data';
  const delay1 = joining ? r.joinAcceptDelay1 * 1000 : dev.mac.rx1Delay * 1e6;
  const delay2 = joining ? r.joinAcceptDelay2 * 1000 : delay1 + 1e6;
  const offset = joining ? 0 : dev.mac.rx1DrOffset;
  const rx1Freq = dev.mac.rx1Frequencies[choice.channel] ?? rx1Frequency(r, choice.channel, choice.frequency);
  c.rx1 = {
    name: 'RX1',
    open: txEnd + delay1,
    frequency: rx1Freq,
    dataRate: rx1DataRate(r, upDr, offset, dev.mac.downlinkDwell),
  };
  c.rx2 = joining
    ? { name: 'RX2', open: txEnd + delay2, frequency: r.rx2.frequency, dataRate: r.rx2.dataRate }
    : {
        name: 'RX2',
        open: txEnd + delay2,
        frequency: dev.mac.rx2Frequency,
        dataRate: dev.mac.rx2DataRate,
      };
  const tol = dev.config.rxWindowToleranceUs ?? 20_000;
  c.timers.push(dev.scheduler.at(c.rx2.open + tol + 1, () => afterWindows(dev, c)));
}

/** RX2 has closed (and any frame received in a window has been handled): decide what comes next. */
export function afterWindows(dev: VirtualDevice, c: Cycle): void {
  // Timers belong to their cycle: one that fires after its cycle ended has nothing to decide.
  if (dev.cycle !== c || dev.stopped) return;
  if (dev.receivingUntil > dev.scheduler.now()) {
    c.timers.push(dev.scheduler.at(dev.receivingUntil + 1, () => afterWindows(dev, c)));
    return;
  }
  for (const t of c.timers) dev.scheduler.cancel(t);
  c.timers = [];
  const lost = c.received ? undefined : c.answerLost;
  if (lost === 'gateway-refused') dev.counters.downlinksRefusedByGateway++;
  if (lost === 'not-scheduled') dev.counters.downlinksNotScheduled++;
  if (lost === 'too-weak') dev.counters.downlinksTooWeak++;
  c.answerLost = undefined;
  if (c.kind === 'join') {
    dev.cycle = undefined;
    if (!dev.joined) {
      const detail = `no Join-accept for DevNonce ${c.join!.devNonce} (attempt ${dev.otaa!.attempt})`;
      // A Join-accept a gateway refused to send, the network could not schedule, or that reached the
      // device too weak, was lost on the way (a downlink loss), not withheld.
      if (lost === undefined)
        dev.windowFailed(c.txEnd ?? 0, detail, () => dev.violation('join-accept-missing', detail));
      dev.emit({ type: 'join-failed', attempt: dev.otaa!.attempt });
      const [lo, hi] = dev.config.joinRetryDelayMs ?? [5000, 15000];
      dev.otaa!.nextJoin = dev.scheduler.after(dev.rng.uniform(lo, hi) * 1000, () => join(dev));
    } else {
      kick(dev);
    }
    return;
  }
  if (c.kind === 'rejoin') {
    dev.cycle = undefined;
    kick(dev);
    return;
  }
  if (c.confirmed && !c.acked && c.attempt < c.maxAttempts) {
    // Retransmit the same frame (same FCnt) after ACK_TIMEOUT, possibly on another channel.
    c.attempt++;
    c.received = false;
    const [lo, hi] = dev.config.region.ackTimeout;
    c.timers.push(dev.scheduler.after(dev.rng.uniform(lo, hi) * 1000, () => sendData(dev)));
    return;
  }
  if (!c.confirmed && !c.received && c.attempt < c.maxAttempts) {
    c.attempt++; // NbTrans repetition of an unconfirmed frame
    sendData(dev);
    return;
  }
  if (c.confirmed && !c.acked) {
    dev.windowFailed(c.firstTxEnd ?? 0, `no ACK for confirmed FCnt ${c.fCnt}`, () => {
      dev.counters.confirmedUnacked++;
    });
    dev.emit({ type: 'nack', fCnt: c.fCnt! });
  }
  dev.cycle = undefined;
  kick(dev);
}

/**
 * The radio model says dev device can hear a downlink starting now. It is received only if a
 * window is open for it: the right moment (within the tolerance), frequency and data rate.
 */
export function hear(dev: VirtualDevice, d: HeardDownlink): void {
  if (dev.stopped) return;
  const region = dev.config.region;
  // Compare modulations, not indexes: in US915/AU915 one modulation has two DRs (SF8BW500 is
  // uplink DR4/DR6 and downlink DR12), and the gateway reports only the modulation.
  const at = (i: number) => d.datr === region.dataRates[i]?.datr;
  const tol = dev.config.rxWindowToleranceUs ?? 20_000;
  const c = dev.cycle;
  let window: Window | undefined;
  if (c !== undefined) {
    for (const w of [c.rx1, c.rx2]) {
      if (w && Math.abs(d.startUs - w.open) <= tol && d.frequency === w.frequency && at(w.dataRate))
        window = w.name;
    }
  }
  if (window === undefined && dev.config.deviceClass === 'B' && inPingSlot(dev, d, tol)) window = 'PING';
  let rxcDuringRx1 = false;
  if (window === undefined && dev.config.deviceClass === 'C' && dev.session !== undefined) {
    const inRx1 = c?.rx1 !== undefined && d.startUs >= c.rx1.open - tol && d.startUs <= c.rx1.open + tol;
    const rxc = d.frequency === dev.mac.rx2Frequency && at(dev.mac.rx2DataRate);
    if (rxc && !inRx1) window = 'RXC';
    rxcDuringRx1 = rxc && inRx1;
  }
  if (window === undefined) {
    if (!addressedToMe(dev, d.phyPayload, d.forThisDevice)) return;
    // A class C frame the network placed before this device's uplink, now arriving while its radio
    // listens on RX1: a collision of two correct schedules (TTS's as much), lost at the device.
    if (rxcDuringRx1) {
      dev.counters.downlinksLostBusy++;
      return;
    }
    // The network still follows the ping slots the last uplink announced; the device lost its beacon.
    const b = dev.classB;
    if (b?.announced === true && !b.active) {
      dev.counters.pingSlotMissed++;
      dev.emit({ type: 'ping-slot-missed', cause: 'beacon-lost' });
      return;
    }
    // The network sent at a moment, frequency or data rate no window of dev device had.
    missed(dev, d);
    return;
  }
  const radioBusy =
    d.startUs < dev.transmittingUntil ||
    d.startUs < dev.receivingUntil ||
    (c !== undefined && window !== 'RXC' && window !== 'PING' && c.locked);
  if (radioBusy) {
    // Right window, but the radio is transmitting or already demodulating another frame:
    // a collision at the device, not a fault of the network.
    if (addressedToMe(dev, d.phyPayload, d.forThisDevice)) {
      dev.counters.downlinksLostBusy++;
      if (window === 'PING') {
        dev.counters.pingSlotMissed++;
        dev.emit({ type: 'ping-slot-missed', cause: 'radio-busy' });
      } else if (c !== undefined) c.answerLost = 'device-busy';
    }
    return;
  }
  if (c !== undefined && window !== 'RXC' && window !== 'PING') c.locked = true;
  dev.receivingUntil = d.startUs + d.airtimeUs;
  const timer = dev.scheduler.at(d.startUs + d.airtimeUs, () => {
    receive(dev, d, window);
    if (c === undefined || dev.cycle !== c || window === 'RXC' || window === 'PING') return;
    // A frame for dev device ends the windows (no RX2 after a reception in RX1); one for another
    // device, or one that failed its checks, leaves the next window open.
    if (c.received) afterWindows(dev, c);
    else c.locked = false;
  });
  c?.timers.push(timer);
}

/** A gateway refused a frame: remembered by the cycle it answered (counted if nothing else came). */
export function refused(dev: VirtualDevice, d: RefusedDownlink): void {
  if (dev.stopped || !addressedToMe(dev, d.phyPayload, d.forThisDevice)) return;
  const joinAccept = (d.phyPayload[0]! & 0xe0) === 0x20;
  if (dev.cycle !== undefined) dev.cycle.answerLost ??= 'gateway-refused';
  dev.emit({ type: 'gateway-refused', error: d.error, joinAccept });
}

/** A gateway sent a frame too weak to be received here: if it was ours, the cycle's answer was lost on air. */
export function notHeard(dev: VirtualDevice, d: UnheardDownlink): void {
  if (dev.stopped || !addressedToMe(dev, d.phyPayload, d.forThisDevice)) return;
  const joinAccept = (d.phyPayload[0]! & 0xe0) === 0x20;
  if (dev.cycle !== undefined) dev.cycle.answerLost ??= 'too-weak';
  dev.emit({ type: 'too-weak', joinAccept });
}

/**
 * The network said (its events stream) that it could not schedule this device's answer: the current
 * cycle, if it is the kind the answer was for, expects nothing more.
 */
export function notScheduled(dev: VirtualDevice, kind: 'join' | 'data'): void {
  const c = dev.cycle;
  if (dev.stopped) return;
  // No class A answer pending: a downlink for the ping slots the network was told of.
  if (c === undefined && kind === 'data' && dev.classB?.announced === true) {
    dev.counters.pingSlotNotScheduled++;
    dev.emit({ type: 'not-scheduled', joinAccept: false });
    return;
  }
  if (c === undefined || (c.kind === 'join') !== (kind === 'join')) return;
  c.answerLost ??= 'not-scheduled';
  dev.emit({ type: 'not-scheduled', joinAccept: kind === 'join' });
}

/** Whether `phy` is this device's; `known` is the air's answer for a Join-accept, when it has one. */
export function addressedToMe(dev: VirtualDevice, phy: Uint8Array, known?: boolean): boolean {
  if (phy.length >= 5 && (phy[0]! & 0xe0) === 0x20) return known ?? joinAcceptIsMine(dev, phy);
  if (dev.session === undefined || phy.length < 5) return false;
  const addr = (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
  return addr === dev.session.devAddr;
}

export function missed(dev: VirtualDevice, d: HeardDownlink): void {
  const c = dev.cycle;
  const w =
    c?.rx1 && Math.abs(d.startUs - c.rx1.open) < Math.abs(d.startUs - (c.rx2?.open ?? Infinity))
      ? c.rx1
      : c?.rx2;
  const detail =
    w === undefined
      ? `downlink at ${d.startUs} µs while no window was open`
      : `downlink at ${Math.round(d.startUs)} µs, ${d.frequency} Hz, ${d.datr}; nearest window ${w.name} opens at ${Math.round(w.open)} µs on ${w.frequency} Hz, DR${w.dataRate} (${dev.config.region.dataRates[w.dataRate]?.datr ?? '?'})`;
  // The answer to a frame up to a join's RX2 ago: the simulator late in that span made it miss.
  dev.windowFailed(d.startUs - 7_000_000, detail, () => {
    dev.counters.downlinksMissed++;
    dev.violation('downlink-outside-window', detail);
  });
}

export function receive(dev: VirtualDevice, d: HeardDownlink, window: Window): void {
  if (dev.stopped) return;
  dev.lastDownlinkSnr = d.snr;
  let p;
  try {
    p = decodePHYPayload(d.phyPayload);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    dev.counters.undecodable++;
    return;
  }
  if (p.mType === 'JoinAccept') return receiveJoinAccept(dev, d.phyPayload);
  if (p.mType !== 'UnconfirmedDataDown' && p.mType !== 'ConfirmedDataDown') return;
  if (dev.session === undefined || p.devAddr !== dev.session.devAddr) return;
  receiveData(dev, d.phyPayload, p, window);
}
