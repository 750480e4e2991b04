import type { MacCommand } from '../lorawan/mac/fields.js';
import { encodeMacCommands } from '../lorawan/mac/table.js';
import { buildUplink } from '../lorawan/uplink-framer.js';
import { timeOnAir } from '../region/airtime.js';
import {
  dataRate as regionDataRate,
  defaultChannelTable,
  maxMacPayload,
  txPowerEirp,
} from '../region/channels.js';
import type { DataRate } from '../region/types.js';
import type { PersistedSession } from './state-store.js';
import type { DeviceTransmission } from './types.js';
import { FCNT_RESERVE, NONE, STICKY_LIMIT, U16, type AppUplink } from './device-internal.js';
import type { VirtualDevice } from './device.js';
import { join, rejoin, rejoinDue, joinChannel } from './join.js';
import { openWindows } from './windows.js';

/*
 * The uplink cycle: one frame from queue to air, with MAC answers, ADR back-off, channel choice and
 * duty cycle.
 */

/** Starts the next uplink cycle if the device is free and has something to send. */
export function kick(dev: VirtualDevice): void {
  if (dev.stopped || dev.cycle !== undefined || dev.session === undefined) return;
  if (rejoinDue(dev)) return rejoin(dev, 0);
  // MAC answers and ACKs ride on the next application uplink, as in LoRaMac-node; only FPending,
  // sticky answers or a class C ACK ask for an uplink of their own (see receiveData).
  const app = dev.nextUplink();
  if (app === undefined) return;
  dataCycle(dev, app);
}

export function macAnswersToSend(dev: VirtualDevice): MacCommand[] {
  const s = dev.session!;
  const out: MacCommand[] = [];
  if (s.resetPending) out.push({ name: 'ResetInd', minorVersion: 1 });
  if (s.rekeyPending) out.push({ name: 'RekeyInd', minorVersion: 1 });
  for (const a of dev.stickyAnswers) out.push(a.command);
  for (const a of dev.pendingAnswers) out.push(a.command);
  const n = dev.counters.uplinks + 1;
  if (dev.config.linkCheckEvery && n % dev.config.linkCheckEvery === 0) out.push({ name: 'LinkCheckReq' });
  if (dev.config.deviceTimeEvery && n % dev.config.deviceTimeEvery === 0 && dev.config.version !== '1.0.2') {
    out.push({ name: 'DeviceTimeReq' });
  }
  out.push(...dev.extraRequests);
  // Class B: PingSlotInfoReq in every uplink until the network answers it, and (1.0.3+) DeviceTimeReq
  // until the device knows GPS time, which tells it when the beacon is due (LoRaWAN 1.0.4 §12.2).
  if (dev.classB && !dev.classB.answered && !out.some((c) => c.name === 'PingSlotInfoReq'))
    out.push({ name: 'PingSlotInfoReq', periodicity: dev.classB.periodicity });
  if (
    dev.classB &&
    dev.lastDeviceTime === undefined &&
    dev.config.version !== '1.0.2' &&
    !out.some((c) => c.name === 'DeviceTimeReq')
  )
    out.push({ name: 'DeviceTimeReq' });
  return out;
}

export function dataCycle(dev: VirtualDevice, app: AppUplink | undefined): void {
  const s = dev.session!;
  const mac = dev.mac;
  // ADR (LoRaWAN 1.1 §4.3.1.1): count uplinks without a downlink, ask with ADRACKReq, then back off.
  if (mac.adr) {
    mac.adrAckCnt++;
    const past = mac.adrAckCnt - (mac.adrAckLimit + mac.adrAckDelay);
    if (past >= 0 && past % mac.adrAckDelay === 0) adrBackoff(dev);
  }
  const commands = macAnswersToSend(dev);
  let macBytes = encodeMacCommands(commands);
  if (commands.length > 0) dev.emit({ type: 'mac', dir: 'up', commands: commands.map((c) => c.name) });
  const sticky = dev.stickyAnswers.length > 0;
  dev.pendingAnswers = NONE;
  dev.extraRequests = NONE;
  if (sticky && dev.stickyUplinks > 0) dev.counters.stickyRepeats++;
  if (sticky && ++dev.stickyUplinks === STICKY_LIMIT) {
    dev.violation(
      'sticky-answer-unacknowledged',
      `${dev.stickyAnswers.map((a) => a.command.name).join(', ')} sent in ${STICKY_LIMIT} uplinks with no downlink`,
    );
  }
  if (s.rekeyPending && ++s.rekeyUplinks > mac.adrAckLimit) {
    // 1.1 §5.10: no RekeyConf within ADR_ACK_LIMIT uplinks → back to the join state.
    dev.violation('rekey-unconfirmed', `no RekeyConf after ${mac.adrAckLimit} uplinks with RekeyInd`);
    dev.session = undefined;
    dev.store.clearSession(dev.config.id);
    if (app) dev.requeue(app);
    return join(dev);
  }
  // MAC answers that do not fit FOpts go alone on FPort 0; the application payload waits.
  let fPort: number | null = app?.fPort ?? null;
  let payload = app?.payload ?? new Uint8Array(0);
  let fOpts = macBytes;
  if (macBytes.length > 15) {
    if (app) dev.requeue(app);
    app = undefined;
    fPort = 0;
    payload = macBytes;
    fOpts = new Uint8Array(0);
  }
  const limit = maxMacPayload(dev.config.region, mac.dataRate, mac.uplinkDwell);
  const macPayloadSize = 7 + fOpts.length + (fPort === null ? 0 : 1 + payload.length);
  if (limit === null || macPayloadSize > limit) {
    dev.counters.payloadTooLong++;
    if (app === undefined) return;
    // Drop the application payload (an application would get a length error), keep the MAC answers.
    app = undefined;
    fPort = null;
    payload = new Uint8Array(0);
    macBytes = fOpts;
  }
  const confirmed = app?.confirmed ?? false;
  const maxAttempts = confirmed
    ? (dev.config.maxConfirmedTransmissions ??
      (dev.config.version === '1.0.4' || dev.config.version === '1.1' ? mac.nbTrans : 8))
    : mac.nbTrans;
  const fCnt = s.fCntUp++;
  if (dev.otaa) dev.otaa.uplinksSinceRejoin++;
  dev.cycle = {
    kind: 'data',
    attempt: 1,
    maxAttempts,
    confirmed,
    fCnt,
    app: fPort === null ? undefined : { fPort, payload, confirmed },
    macBytes: fOpts,
    received: false,
    acked: false,
    locked: false,
    timers: [],
  };
  if (confirmed) dev.lastConfirmedFCntUp = fCnt;
  sendData(dev);
}

/** 1.1 §4.3.1.1: TX power to the maximum first, then one data rate lower each ADR_ACK_DELAY, then default channels. */
export function adrBackoff(dev: VirtualDevice): void {
  const mac = dev.mac;
  const minDr = Math.min(...dev.config.region.defaultChannels.map((c) => c.minDr));
  if (mac.txPower > 0) mac.txPower = 0;
  else if (mac.dataRate > minDr && dev.config.region.dataRates[mac.dataRate - 1] !== undefined)
    mac.dataRate--;
  else mac.channels = defaultChannelTable(dev.config.region);
}

export function adrAckReq(dev: VirtualDevice): boolean {
  const mac = dev.mac;
  if (!mac.adr || mac.adrAckCnt < mac.adrAckLimit) return false;
  const minDr = Math.min(...dev.config.region.defaultChannels.map((c) => c.minDr));
  return mac.dataRate > minDr || mac.txPower > 0;
}

/** Builds the cycle's frame for its current attempt and transmits it. */
export function sendData(dev: VirtualDevice): void {
  const s = dev.session!;
  const c = dev.cycle!;
  const fCnt = c.fCnt!;
  // Nothing is lost: the counter bound is on disk before a frame with dev FCnt leaves.
  if (fCnt >= s.fCntUpBound) {
    s.fCntUpBound = fCnt + FCNT_RESERVE;
    dev.store.update(dev.config.id, { session: { fCntUpBound: s.fCntUpBound } as PersistedSession });
  }
  const ack = dev.ackDownlink;
  const choice = chooseChannel(dev);
  const phy = buildUplink(s.keys, s.version, s.devAddr, {
    confirmed: c.confirmed,
    fCnt,
    fCtrl: {
      adr: dev.mac.adr,
      adrAckReq: adrAckReq(dev),
      ack: ack !== undefined,
      classB: announceClassB(dev),
    },
    fOpts: c.macBytes ?? new Uint8Array(0),
    fPort: c.app?.fPort ?? null,
    frmPayload: c.app?.payload ?? new Uint8Array(0),
    confFCnt: ack === undefined ? 0 : ack % U16,
    txDr: dev.mac.dataRate,
    txCh: choice.channel,
  });
  dev.ackDownlink = undefined;
  if (c.attempt === 1) dev.counters.uplinks++;
  else dev.counters.retransmissions++;
  transmit(dev, phy, dev.mac.dataRate, 'data', choice);
}

/** An enabled channel that supports the data rate, preferring those free of duty-cycle time-off now. */
export function chooseChannel(
  dev: VirtualDevice,
  dr = dev.mac.dataRate,
): { channel: number; frequency: number; availableAt: number } {
  const { channels, enabled } = dev.mac.channels;
  const now = dev.scheduler.now();
  let best: { channel: number; frequency: number; availableAt: number }[] = [];
  let bestAt = Number.POSITIVE_INFINITY;
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i];
    if (!enabled[i] || ch === undefined || dr < ch.minDr || dr > ch.maxDr) continue;
    const at = Math.max(now, dev.dutyCycle.availableAt(ch.frequency));
    if (at < bestAt) {
      best = [];
      bestAt = at;
    }
    if (at === bestAt) best.push({ channel: i, frequency: ch.frequency, availableAt: at });
  }
  if (best.length === 0) {
    // No enabled channel carries dev DR: fall back to the default channels (LoRaMac-node does likewise).
    const ch = dev.config.region.defaultChannels[0]!;
    return {
      channel: 0,
      frequency: ch.frequency,
      availableAt: Math.max(now, dev.dutyCycle.availableAt(ch.frequency)),
    };
  }
  return best[dev.rng.int(0, best.length - 1)]!;
}

export function transmit(
  dev: VirtualDevice,
  phy: Uint8Array,
  dr: number,
  kind: 'join' | 'rejoin' | 'data',
  choice = joinChannel(dev, dr),
): void {
  const c = dev.cycle!;
  const d = regionDataRate(dev.config.region, dr);
  const airtime = timeOnAir(d, phy.length, 'up');
  let start = choice.availableAt;
  if (kind === 'join' && c.attempt === 1)
    start = Math.max(start, dev.otaa!.backoff.nextAllowed(start, airtime));
  if (start > dev.scheduler.now()) {
    dev.counters.dutyCycleWaits++;
    c.timers.push(dev.scheduler.at(start, () => transmitNow(dev, phy, d, dr, kind, choice, airtime)));
  } else {
    transmitNow(dev, phy, d, dr, kind, choice, airtime);
  }
}

export function transmitNow(
  dev: VirtualDevice,
  phy: Uint8Array,
  d: DataRate,
  dr: number,
  kind: 'join' | 'rejoin' | 'data',
  choice: { channel: number; frequency: number },
  airtime: number,
): void {
  if (dev.stopped) return;
  const c = dev.cycle!;
  if (kind === 'data' && c.attempt === 1 && dev.trafficEnded && c.app !== undefined) {
    // A first transmission the duty cycle held past the end of traffic: never sent.
    for (const t of c.timers) dev.scheduler.cancel(t);
    dev.cycle = undefined;
    dev.counters.notSentAfterTraffic++;
    return;
  }
  const start = dev.scheduler.now();
  dev.dutyCycle.aggregated = dev.mac.maxDutyCycle === 0 ? 1 : 1 / 2 ** dev.mac.maxDutyCycle;
  dev.dutyCycle.record(choice.frequency, start, airtime);
  if (kind === 'join') dev.otaa!.backoff.record(start, airtime);
  dev.transmittingUntil = start + airtime;
  const tx: DeviceTransmission = {
    deviceId: dev.config.id,
    kind,
    frequency: choice.frequency,
    channel: choice.channel,
    dataRate: dr,
    datr: d.datr,
    modulation: d.modulation === 'FSK' ? 'FSK' : 'LORA',
    ...(d.modulation === 'LORA' ? { spreadingFactor: d.spreadingFactor } : {}),
    bandwidth: d.modulation === 'LORA' ? d.bandwidth : 125_000,
    codr: '4/5',
    eirp: txPowerEirp(dev.config.region, kind === 'data' ? dev.mac.txPower : 0, dev.mac.maxEirp),
    phyPayload: phy,
    startUs: start,
    airtimeUs: airtime,
    attempt: c.attempt,
    ...(c.fCnt === undefined ? {} : { fCnt: c.fCnt, confirmed: c.confirmed }),
  };
  // The windows are known before the frame leaves, so the radio can tell who listens when.
  openWindows(dev, kind, choice, dr, start + airtime);
  const toleranceUs = dev.config.rxWindowToleranceUs ?? 20_000;
  tx.rxWindows = [
    { openUs: c.rx1!.open, frequency: c.rx1!.frequency, toleranceUs },
    { openUs: c.rx2!.open, frequency: c.rx2!.frequency, toleranceUs },
  ];
  dev.radio.transmit(tx);
  if (kind === 'data') {
    dev.emit({
      type: 'uplink',
      fCnt: c.fCnt!,
      confirmed: c.confirmed,
      attempt: c.attempt,
      fPort: c.app?.fPort ?? null,
      size: phy.length,
      startUs: start,
      payload: c.app?.payload,
    });
  }
}

/** The ClassB bit of the uplink being built (LoRaWAN 1.0.4 §12.1), remembered as what the network knows. */
function announceClassB(dev: VirtualDevice): boolean {
  const b = dev.classB;
  if (b === undefined) return false;
  b.announced = b.active;
  return b.active;
}
