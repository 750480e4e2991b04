import type { DownlinkDataFrame } from '../lorawan/data-frame.js';
import { pingSlotInfoAnswered } from './class-b.js';
import { fullFCnt } from '../lorawan/fcnt.js';
import { openDataFrame } from '../lorawan/frame-security.js';
import { parseMacCommands } from '../lorawan/mac/table.js';
import { handleMacCommands, type MacContext } from './mac/index.js';
import { macSnapshot } from './mac-state.js';
import type { PersistedSession } from './state-store.js';
import type { Window } from './types.js';
import { NONE, U16 } from './device-internal.js';
import type { VirtualDevice } from './device.js';
import { forceRejoin } from './join.js';
import { kick, dataCycle } from './uplink.js';

/*
 * A data downlink received in a window: FCnt, MIC, ACK, FRMPayload and MAC commands.
 */

export function receiveData(
  dev: VirtualDevice,
  bytes: Uint8Array,
  p: DownlinkDataFrame,
  window: Window,
): void {
  const s = dev.session!;
  const v = dev.config.version;
  const useA = s.version === '1.1' && p.fPort !== null && p.fPort > 0;
  const last = useA ? s.aFCntDown : s.nFCntDown;
  const fCnt = fullFCnt(last, p.fCnt);
  if (fCnt === undefined) {
    dev.counters.replays++;
    // TTS v3.32 may resend a MAC-only downlink with an NFCntDown it already used once ResetInd
    // replaced its MAC state (tts-api.md Part 4): the device is right to refuse it (LoRaWAN 1.1 §4.3.1.5).
    const afterReset = s.resetConfirmed === true && !useA;
    dev.violation(
      'fcnt-replay',
      afterReset
        ? `NFCntDown ${p.fCnt} used again after ResetInd/ResetConf (the network reset its MAC state but not its downlink counter); refused`
        : `downlink FCnt ${p.fCnt} repeats the last one (${last})`,
    );
    return;
  }
  if (
    (v === '1.0.0' || v === '1.0.1' || v === '1.0.2' || v === '1.0.3') &&
    last !== undefined &&
    fCnt - last >= dev.config.region.maxFCntGap
  ) {
    dev.violation('fcnt-gap', `downlink FCnt jumps from ${last} to ${fCnt} (MAX_FCNT_GAP)`);
    return;
  }
  const ackBit = p.fCtrl.ack;
  const confFCnt =
    s.version === '1.1' && ackBit && dev.lastConfirmedFCntUp !== undefined
      ? dev.lastConfirmedFCntUp % U16
      : 0;
  const opened = openDataFrame(bytes, s.keys, { version: s.version, fCnt, confFCnt });
  if (!opened.micValid) {
    dev.counters.badMic++;
    dev.violation('bad-mic', `downlink FCnt ${fCnt} with an invalid MIC`);
    return;
  }
  if (useA) s.aFCntDown = fCnt;
  else s.nFCntDown = fCnt;
  dev.store.update(dev.config.id, {
    session: (useA ? { aFCntDown: fCnt } : { nFCntDown: fCnt }) as PersistedSession,
  });
  dev.counters.downlinks++;
  dev.mac.adrAckCnt = 0;
  dev.stickyAnswers = NONE;
  dev.stickyUplinks = 0;
  const c = dev.cycle;
  if (c !== undefined && window !== 'RXC') c.received = true;
  if (ackBit) {
    if (c?.confirmed && !c.acked && c.kind === 'data') {
      c.acked = true;
      dev.counters.confirmedAcked++;
      dev.emit({ type: 'ack', fCnt: c.fCnt! });
    } else if (c === undefined || !c.confirmed) {
      dev.violation(
        'unexpected-ack',
        `ACK bit set in downlink FCnt ${fCnt} with no confirmed uplink waiting`,
      );
    }
  }
  const confirmedDown = p.mType === 'ConfirmedDataDown';
  if (confirmedDown) dev.ackDownlink = fCnt;
  const macBytes = p.fPort === 0 ? opened.frmPayload : opened.fOpts;
  if (macBytes.length > 0) {
    const parsed = parseMacCommands(macBytes, 'downlink');
    if (parsed.stopped) dev.violation('mac-unparsable', parsed.stopped.message);
    if (parsed.commands.length > 0)
      dev.emit({ type: 'mac', dir: 'down', commands: parsed.commands.map((c) => c.name) });
    const answers = handleMacCommands(parsed.commands, macContext(dev));
    const sticky = answers.filter((a) => a.sticky);
    if (sticky.length > 0) dev.stickyAnswers = [...dev.stickyAnswers, ...sticky];
    if (sticky.length < answers.length)
      dev.pendingAnswers = [...dev.pendingAnswers, ...answers.filter((a) => !a.sticky)];
    // Saved as the commands take effect, so a restart comes back with what the network expects.
    if (parsed.commands.length > 0 && dev.session)
      dev.store.update(dev.config.id, { session: { mac: macSnapshot(dev.mac) } as PersistedSession });
  }
  if (p.fPort !== null && p.fPort > 0) {
    dev.emit({
      type: 'downlink',
      fCnt,
      fPort: p.fPort,
      payload: opened.frmPayload,
      window,
      confirmed: confirmedDown,
    });
  } else {
    dev.emit({
      type: 'downlink',
      fCnt,
      fPort: p.fPort,
      payload: new Uint8Array(0),
      window,
      confirmed: confirmedDown,
    });
  }
  // FPending, answers to deliver, or (class C) an ACK owed: an uplink soon, as LoRaMac-node does.
  const owe =
    p.fCtrl.fPending ||
    dev.stickyAnswers.length > 0 ||
    (confirmedDown && (dev.config.deviceClass === 'C' || window === 'RXC' || window === 'PING'));
  if (owe && dev.uplinkSoon === undefined) {
    dev.uplinkSoon = dev.scheduler.after(1_000_000, () => {
      dev.uplinkSoon = undefined;
      if (dev.cycle === undefined && dev.session !== undefined) dataCycle(dev, dev.nextUplink());
    });
  }
  if ((window === 'RXC' || window === 'PING') && dev.cycle === undefined) kick(dev);
}

export function macContext(dev: VirtualDevice): MacContext {
  return {
    version: dev.config.version,
    region: dev.config.region,
    deviceClass: dev.config.deviceClass,
    activation: dev.config.activation,
    state: dev.mac,
    battery: dev.config.battery ?? 255,
    lastDownlinkSnr: dev.lastDownlinkSnr,
    now: () => dev.scheduler.now(),
    violation: (kind, detail) => dev.violation(kind, detail),
    onLinkCheck: (margin, gwCnt) => {
      dev.lastLinkCheck = { margin, gwCnt };
      dev.emit({ type: 'link-check', margin, gwCnt });
    },
    onDeviceTime: (gpsEpochSeconds, fractionalSecondUnits) => {
      dev.lastDeviceTime = { gpsEpochSeconds, fractionalSecondUnits, atUs: dev.transmittingUntil };
      dev.emit({ type: 'device-time', gpsEpochSeconds, fractionalSecondUnits });
    },
    onRekeyConf: () => {
      if (dev.session) {
        dev.session.rekeyPending = false;
        dev.store.update(dev.config.id, { session: { rekeyPending: false } as PersistedSession });
      }
    },
    onResetConf: () => {
      if (dev.session) {
        dev.session.resetPending = false;
        dev.session.resetConfirmed = true;
      }
    },
    onForceRejoin: (rejoinType, dataRate, period, maxRetries) =>
      forceRejoin(dev, rejoinType, dataRate, period, maxRetries),
    onDutyCycle: () => undefined,
    onPingSlotInfoAns: () => pingSlotInfoAnswered(dev),
  };
}
