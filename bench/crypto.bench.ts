import { AesCmac } from 'aes-cmac';
import { aes128Key, aesCmac, devAddr } from '../crypto/index.js';
import {
  buildDataFrame,
  openDataFrame,
  sessionKeys10,
  UplinkFramer,
  type SessionKeys,
} from '../simulator/lorawan/index.js';
import { LoraPacket } from '../test/helpers/lora-packet.js';
import { measure, type BenchResult } from './harness.js';

// Keys are set up once per session, as a device does; each frame gets a new FCnt, as on air.
const nwkSKey = aes128Key('44024241ED4CE9A68C6A8BC055233FD3');
const appSKey = aes128Key('EC925802AE430CA77FD3DD73CB2CC588');
const keys10 = sessionKeys10(nwkSKey, appSKey);
const keys11: SessionKeys = {
  fNwkSIntKey: aes128Key('07C105892E1BBB7F7101D13A5F78249B'),
  sNwkSIntKey: aes128Key('F9162A2FCF6E70867CEE523249282844'),
  nwkSEncKey: aes128Key('A5406D11C50850C965C2545AD81980A7'),
  appSKey,
};
const addr = devAddr('49BE7DF1');
const payload = Uint8Array.from(Buffer.from('0167005A0268410373FFB0', 'hex')); // an 11-byte sensor reading

const lpAddr = Buffer.from('49BE7DF1', 'hex');
const lpPayload = Buffer.from(payload);
const lpNwk = Buffer.from(nwkSKey);
const lpApp = Buffer.from(appSKey);
const lpF11 = Buffer.from(keys11.fNwkSIntKey);
const lpS11 = Buffer.from(keys11.sNwkSIntKey);

/** lora-packet's way to build the same uplink; 1.1 when its FNwkSIntKey/SNwkSIntKey/B1 fields are given. */
function loraPacketUplink(fCnt: number, v11?: { conf: Buffer }): Buffer | void {
  const fields = {
    MType: 'Unconfirmed Data Up',
    DevAddr: lpAddr,
    FCtrl: { ADR: true },
    FCnt: fCnt & 0xffff,
    FPort: 2,
    payload: lpPayload,
  };
  if (v11 === undefined) return LoraPacket.fromFields(fields, lpApp, lpNwk).getPHYPayload();
  return LoraPacket.fromFields(fields, lpApp, lpF11, lpS11, Buffer.alloc(2), v11.conf).getPHYPayload();
}

export async function cryptoBenches(ms: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const pair = async (name: string, ours: () => unknown, baseline: string, theirs: () => unknown) => {
    const a = await measure(ours, ms);
    const b = await measure(theirs, ms);
    results.push({
      name,
      ops_per_s: a.opsPerSecond,
      baseline,
      baseline_ops_per_s: b.opsPerSecond,
      ratio: a.opsPerSecond / b.opsPerSecond,
    });
  };

  let f1 = 0;
  let f2 = 0;
  await pair(
    'frame-build.uplink-1.0',
    () =>
      buildDataFrame(
        {
          mType: 'UnconfirmedDataUp',
          devAddr: addr,
          fCtrl: { adr: true },
          fCnt: f1,
          fOpts: new Uint8Array(0),
          fPort: 2,
          frmPayload: payload,
        },
        keys10,
        { version: '1.0', fCnt: f1++ },
      ),
    'lora-packet',
    () => loraPacketUplink(f2++),
  );

  // The device path: one session, FCntUp counting up (UplinkFramer, as a VirtualDevice builds them).
  const framer10 = new UplinkFramer(keys10, '1.0', addr);
  let s1 = 0;
  let s2 = 0;
  await pair(
    'frame-build.uplink-1.0.session',
    () =>
      framer10.build({
        confirmed: false,
        fCnt: s1++,
        fCtrl: { adr: true },
        fOpts: new Uint8Array(0),
        fPort: 2,
        frmPayload: payload,
      }),
    'lora-packet',
    () => loraPacketUplink(s2++),
  );

  let g1 = 0;
  let g2 = 0;
  const conf = () => Buffer.from([0, 0, 5, 2]);
  await pair(
    'frame-build.uplink-1.1',
    () =>
      buildDataFrame(
        {
          mType: 'UnconfirmedDataUp',
          devAddr: addr,
          fCtrl: { adr: true },
          fCnt: g1,
          fOpts: new Uint8Array(0),
          fPort: 2,
          frmPayload: payload,
        },
        keys11,
        { version: '1.1', fCnt: g1++, txDr: 5, txCh: 2 },
      ),
    'lora-packet',
    () => loraPacketUplink(g2++, { conf: conf() }),
  );

  const framer11 = new UplinkFramer(keys11, '1.1', addr);
  let t1 = 0;
  let t2 = 0;
  await pair(
    'frame-build.uplink-1.1.session',
    () =>
      framer11.build({
        confirmed: false,
        fCnt: t1++,
        fCtrl: { adr: true },
        fOpts: new Uint8Array(0),
        fPort: 2,
        frmPayload: payload,
        txDr: 5,
        txCh: 2,
      }),
    'lora-packet',
    () => loraPacketUplink(t2++, { conf: conf() }),
  );

  const frame = buildDataFrame(
    {
      mType: 'UnconfirmedDataUp',
      devAddr: addr,
      fCtrl: {},
      fCnt: 7,
      fOpts: new Uint8Array(0),
      fPort: 2,
      frmPayload: payload,
    },
    keys10,
    { version: '1.0', fCnt: 7 },
  );
  const lpFrame = Buffer.from(frame);
  await pair(
    'frame-open.uplink-1.0',
    () => openDataFrame(frame, keys10, { version: '1.0', fCnt: 7 }),
    'lora-packet',
    () => {
      const p = LoraPacket.fromWire(lpFrame);
      LoraPacket.verifyMIC(p, lpNwk);
      return LoraPacket.decrypt(p, lpApp, lpNwk);
    },
  );

  const msg = new Uint8Array(32).fill(7);
  const theirCmac = new AesCmac(nwkSKey);
  await pair(
    'aes-cmac.32-bytes',
    () => aesCmac(nwkSKey, msg),
    'aes-cmac',
    () => theirCmac.calculate(msg),
  );
  return results;
}
