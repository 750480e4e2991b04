import { describe, expect, it } from 'vitest';
import { aes128Key, eui64, uintField } from '../../crypto/index.js';
import { deriveKeys } from '../../simulator/cli/keys-derive.js';
import { describePacket } from '../../simulator/lorawan/describe.js';
import { encodePacket } from '../../simulator/cli/packet-encode.js';
import { runCli } from '../helpers/cli.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const frames = loadVectors<V>('phypayload');

function keyOptions(v: V) {
  const k = v.keys;
  return v.macVersion === '1.0'
    ? { nwkSKey: aes128Key(k.nwkSKey), appSKey: k.appSKey ? aes128Key(k.appSKey) : undefined }
    : {
        lorawan: '1.1' as const,
        fNwkSIntKey: k.fNwkSIntKey ? aes128Key(k.fNwkSIntKey) : undefined,
        sNwkSIntKey: aes128Key(k.sNwkSIntKey),
        nwkSEncKey: aes128Key(k.nwkSEncKey),
        appSKey: aes128Key(k.appSKey),
      };
}

describe('packet decode', () => {
  it.each(frames.map((v) => [v.description as string, v]))('decodes, decrypts and verifies: %s', (_d, v) => {
    const d = describePacket(hex(v.phyPayload), {
      ...keyOptions(v),
      confFCnt: v.confFCnt,
      txDr: v.txDr,
      txCh: v.txCh,
    });
    expect(d.mType).toBe(v.fields.mType);
    expect(d.devAddr).toBe(v.fields.devAddr.toUpperCase());
    expect(d.fCnt).toBe(v.fields.fCnt);
    expect(d.fPort).toBe(v.fields.fPort);
    expect(d.frmPayload).toBe(v.fields.frmPayloadPlaintext.toUpperCase());
    expect(d.fOpts).toBe(v.fields.fOptsPlaintext.toUpperCase());
    expect(d.micValid).toBe(true);
    const macBytes = v.fields.fPort === 0 ? v.fields.frmPayloadPlaintext : v.fields.fOptsPlaintext;
    expect(Array.isArray(d.macCommands)).toBe(true);
    if (macBytes.length > 0) expect((d.macCommands as unknown[]).length).toBeGreaterThan(0);
  });

  it('says micValid false for a wrong key and null when no key is given', () => {
    const v = frames[0]!;
    const wrong = describePacket(hex(v.phyPayload), { nwkSKey: aes128Key('00'.repeat(16)) });
    expect(wrong.micValid).toBe(false);
    const none = describePacket(hex(v.phyPayload), {});
    expect(none.micValid).toBeNull();
    expect(none.frmPayload).toBe('95437876'); // still encrypted: no AppSKey
    expect((none.decrypted as { frmPayload: boolean }).frmPayload).toBe(false);
  });

  it('decrypts a 1.1 Join-accept and checks its OptNeg MIC with the request context', () => {
    const v = loadVectors<V>('join-accept').find((x) => x.function === 'buildJoinAccept11')!;
    const base = { nwkKey: aes128Key(v.key), jsIntKey: aes128Key(v.jsIntKey) };
    const d = describePacket(hex(v.phyPayload), {
      ...base,
      joinEui: eui64(v.joinEui),
      devNonce: uintField(v.devNonce, 'DevNonce', 16),
    });
    expect(d.devAddr).toBe(v.fields.devAddr.toUpperCase());
    expect(d.micValid).toBe(true);
    const incomplete = describePacket(hex(v.phyPayload), base);
    expect(incomplete.micValid).toBeNull();
    expect(incomplete.micNote).toMatch(/--join-eui/);
  });

  it('checks Join-request MICs', () => {
    const v = loadVectors<V>('join-mic').find((x) => x.function === 'joinRequestMic' && x.phyPayload)!;
    const d = describePacket(hex(v.phyPayload), { appKey: aes128Key(v.key) });
    expect(d.joinEui).toBe(v.joinEui.toUpperCase());
    expect(d.devEui).toBe(v.devEui.toUpperCase());
    expect(d.micValid).toBe(true);
  });
});

describe('packet encode', () => {
  it.each(frames.map((v) => [v.description as string, v]))('re-encodes %s from its description', (_d, v) => {
    const f = v.fields;
    const desc = {
      mType: f.mType,
      lorawan: v.macVersion,
      devAddr: f.devAddr,
      fCtrl: f.fCtrl,
      fCnt: f.fCnt,
      fOpts: f.fOptsPlaintext,
      fPort: f.fPort,
      frmPayload: f.frmPayloadPlaintext,
      confFCnt: v.confFCnt,
      txDr: v.txDr,
      txCh: v.txCh,
      keys: v.keys,
    };
    expect(toHex(encodePacket(desc))).toBe(v.phyPayload);
  });

  it('names the field of a bad description', () => {
    expect(() => encodePacket({ mType: 'Nope' })).toThrowError(/mType: expected one of/);
    expect(() => encodePacket({ mType: 'UnconfirmedDataUp', devAddr: '01020304' })).toThrowError(
      /keys\.nwkSKey: required/,
    );
    expect(() =>
      encodePacket({ mType: 'UnconfirmedDataUp', devAddr: 'zz', keys: { nwkSKey: '00'.repeat(16) } }),
    ).toThrowError(/devAddr/);
  });
});

describe('keys derive', () => {
  it.each(
    loadVectors<V>('session-keys-1.0')
      .filter((v) => v.appKey)
      .map((v) => [v.description as string, v]),
  )('1.0: %s', (_d, v) => {
    const k = deriveKeys({
      lorawan: '1.0',
      appKey: aes128Key(v.appKey),
      joinNonce: uintField(v.joinNonce, 'j', 24),
      netId: uintField(v.netId, 'n', 24),
      devNonce: uintField(v.devNonce, 'd', 16),
    });
    expect(k.nwkSKey).toBe(v.expected.nwkSKey.toUpperCase());
  });

  it.each(
    loadVectors<V>('session-keys-1.1')
      .filter((v) => v.function === 'deriveSessionKeys11')
      .map((v) => [v.description as string, v]),
  )('1.1: %s', (_d, v) => {
    const k = deriveKeys({
      lorawan: '1.1',
      nwkKey: aes128Key(v.nwkKey),
      appKey: aes128Key(v.appKey),
      joinNonce: uintField(v.joinNonce, 'j', 24),
      joinEui: eui64(v.joinEui),
      devNonce: uintField(v.devNonce, 'd', 16),
      devEui: eui64(v.devEui ?? '0000000000000000'),
    });
    for (const [name, value] of Object.entries(v.expected as Record<string, string>)) {
      if (name !== 'jsIntKey' && name !== 'jsEncKey') expect(k[name], name).toBe(value.toUpperCase());
    }
    if (v.devEui !== undefined && v.expected.jsIntKey !== undefined)
      expect(k.jsIntKey).toBe(v.expected.jsIntKey.toUpperCase());
  });

  it('says which option is missing', () => {
    expect(() => deriveKeys({ lorawan: '1.0', appKey: aes128Key('00'.repeat(16)) })).toThrowError(
      /--join-nonce is required/,
    );
  });
});

describe('the lorafleet process', () => {
  it('decodes the README example with --json and exit code 0', () => {
    const r = runCli([
      'packet',
      'decode',
      'QPF9vkkAAgABlUN4disR/w0=',
      '--json',
      '--nwk-s-key',
      '44024241ED4CE9A68C6A8BC055233FD3',
      '--app-s-key',
      'EC925802AE430CA77FD3DD73CB2CC588',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      mType: 'UnconfirmedDataUp',
      devAddr: '49BE7DF1',
      fCnt: 2,
      fPort: 1,
      frmPayload: '74657374',
      micValid: true,
    });
  });

  it('reports a wrong key as micValid false with exit code 0', () => {
    const r = runCli([
      'packet',
      'decode',
      '40F17DBE4900020001954378762B11FF0D',
      '--json',
      '--nwk-s-key',
      '00'.repeat(16),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).micValid).toBe(false);
  });

  it('refuses undecodable bytes with one line on stderr and exit code 2', () => {
    const r = runCli(['packet', 'decode', '4001020304']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^lorafleet: cannot decode: PHYPayload/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('refuses a malformed key with the option named, exit code 2', () => {
    const r = runCli(['packet', 'decode', '40F17DBE4900020001954378762B11FF0D', '--app-s-key', '1234']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--app-s-key: expected 16 bytes of hex/);
  });

  it('encodes from stdin and decodes its own output back', () => {
    const desc = JSON.stringify({
      mType: 'ConfirmedDataUp',
      devAddr: '26011F2A',
      fCnt: 70000,
      fPort: 5,
      frmPayload: 'CAFE',
      keys: { nwkSKey: '11'.repeat(16), appSKey: '22'.repeat(16) },
    });
    const enc = runCli(['packet', 'encode'], desc);
    expect(enc.code).toBe(0);
    const frame = enc.stdout.trim();
    const dec = runCli([
      'packet',
      'decode',
      frame,
      '--json',
      '--f-cnt-msb',
      '1',
      '--nwk-s-key',
      '11'.repeat(16),
      '--app-s-key',
      '22'.repeat(16),
    ]);
    expect(JSON.parse(dec.stdout)).toMatchObject({ fCnt: 70000, frmPayload: 'CAFE', micValid: true });
  });

  it('derives keys as JSON', () => {
    const r = runCli([
      'keys',
      'derive',
      '--app-key',
      'BEC499C69E9C939E413B663961636C61',
      '--join-nonce',
      'AE3B1C',
      '--net-id',
      '020101',
      '--dev-nonce',
      '7369',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      nwkSKey: '0DB924EE6AF90698E05FC7CE48303C01',
      appSKey: '8C1E0543A229088DE6F84E74BB46BD62',
    });
  });

  it('answers an unknown command with usage help and exit code 2', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lorafleet: Unknown argument/);
  });
});
