import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { JoinReqType } from '../../../crypto/join-crypto.js';
import { UsageError } from '../errors.js';
import { optEui, optHexUint, optInt, optKey, parseBytes } from '../input.js';
import { deriveKeys } from '../keys-derive.js';
import { describePacket } from '../../lorawan/describe.js';
import { formatPacket } from '../packet-decode.js';
import { encodePacket } from '../packet-encode.js';
import type { CommandIo } from './io.js';

/** `lorafleet packet decode|encode` and `lorafleet keys derive`. */
export function packetCommands<T>(y: Argv<T>, o: CommandIo): Argv<T> {
  return y
    .command('packet', 'Decode and encode LoRaWAN frames', (y) =>
      y
        .command(
          'decode <data>',
          'Decode a PHYPayload (hex or base64); decrypt and check the MIC with the keys given',
          (yy) =>
            withKeys(yy)
              .positional('data', {
                type: 'string',
                describe: 'PHYPayload as hex or base64',
                demandOption: true,
              })
              .option('json', {
                type: 'boolean',
                default: false,
                describe: 'Print JSON (stable field names)',
              })
              .option('lorawan', {
                // A string: yargs would read 1.1 as a number and then match no choice.
                type: 'string',
                choices: ['1.0', '1.1'] as const,
                describe: 'Session version (default: 1.1 if a 1.1 key is given)',
              })
              .option('f-cnt-msb', { type: 'string', describe: 'Upper 16 bits of the 32-bit FCnt' })
              .option('conf-f-cnt', {
                type: 'string',
                describe: '1.1: FCnt of the confirmed frame this one ACKs',
              })
              .option('tx-dr', {
                type: 'string',
                describe: '1.1 uplink MIC: data-rate index of the transmission',
              })
              .option('tx-ch', {
                type: 'string',
                describe: '1.1 uplink MIC: channel index of the transmission',
              })
              .option('join-eui', { type: 'string', describe: '1.1 Join-accept MIC: JoinEUI of the request' })
              .option('dev-eui', {
                type: 'string',
                describe: '1.1 Join-accept MIC: DevEUI (derives JSIntKey from --nwk-key)',
              })
              .option('dev-nonce', {
                type: 'string',
                describe: '1.1 Join-accept MIC: DevNonce (4 hex digits) or RJcount',
              })
              .option('join-req-type', {
                type: 'string',
                describe: '1.1 Join-accept MIC: join-request (default), 0, 1 or 2',
              }),
          (a) => {
            const joinReqType =
              a['join-req-type'] === undefined
                ? undefined
                : JOIN_REQ_TYPES[String(a['join-req-type']).toLowerCase()];
            if (a['join-req-type'] !== undefined && joinReqType === undefined) {
              throw new UsageError(
                `--join-req-type: expected join-request, 0, 1 or 2, got "${a['join-req-type']}"`,
              );
            }
            const d = describePacket(parseBytes(a.data, 'data'), {
              lorawan: a.lorawan,
              ...keysFromArgs(a),
              fCntMsb: optInt(a['f-cnt-msb'], 'f-cnt-msb', 16),
              confFCnt: optInt(a['conf-f-cnt'], 'conf-f-cnt', 16),
              txDr: optInt(a['tx-dr'], 'tx-dr', 16),
              txCh: optInt(a['tx-ch'], 'tx-ch', 16),
              joinEui: optEui(a['join-eui'], 'join-eui'),
              devEui: optEui(a['dev-eui'], 'dev-eui'),
              devNonce: optHexUint(a['dev-nonce'], 'dev-nonce', 16),
              joinReqType,
            });
            o.print(a.json ? JSON.stringify(d, null, 2) : formatPacket(d));
          },
        )
        .command(
          'encode',
          'Encode a frame from a JSON description (stdin or --json): encrypt and compute the MIC',
          (yy) =>
            withKeys(yy)
              .option('json', { type: 'string', describe: 'The frame description (default: read stdin)' })
              .option('base64', { type: 'boolean', default: false, describe: 'Print base64 instead of hex' }),
          (a) => {
            const text = a.json ?? readStdin();
            let desc: unknown;
            try {
              desc = JSON.parse(text);
            } catch (e) {
              throw new UsageError(`frame description: not valid JSON (${(e as Error).message})`);
            }
            const out = Buffer.from(encodePacket(desc, keysFromArgs(a)));
            o.print(a.base64 ? out.toString('base64') : out.toString('hex').toUpperCase());
          },
        )
        .demandCommand(1, 'Name a packet command: decode or encode'),
    )
    .command('keys', 'Session-key derivation', (y) =>
      y
        .command(
          'derive',
          'Derive the session keys of a join (JSON output)',
          (yy) =>
            yy
              .option('lorawan', {
                type: 'string',
                choices: ['1.0', '1.1'] as const,
                default: '1.0' as const,
              })
              .option('app-key', { type: 'string', describe: 'AppKey' })
              .option('nwk-key', { type: 'string', describe: 'NwkKey (1.1)' })
              .option('join-nonce', { type: 'string', describe: 'JoinNonce / AppNonce, 6 hex digits' })
              .option('net-id', { type: 'string', describe: 'NetID, 6 hex digits (1.0)' })
              .option('dev-nonce', { type: 'string', describe: 'DevNonce, 4 hex digits' })
              .option('join-eui', { type: 'string', describe: 'JoinEUI, 16 hex digits (1.1)' })
              .option('dev-eui', { type: 'string', describe: 'DevEUI, 16 hex digits (1.1)' }),
          (a) => {
            const keys = deriveKeys({
              lorawan: a.lorawan,
              ...keysFromArgs(a),
              joinNonce: optHexUint(a['join-nonce'], 'join-nonce', 24),
              netId: optHexUint(a['net-id'], 'net-id', 24),
              devNonce: optHexUint(a['dev-nonce'], 'dev-nonce', 16),
              joinEui: optEui(a['join-eui'], 'join-eui'),
              devEui: optEui(a['dev-eui'], 'dev-eui'),
            });
            o.print(JSON.stringify(keys, null, 2));
          },
        )
        .demandCommand(1, 'Name a keys command: derive'),
    );
}

const KEY_OPTIONS = {
  'app-key': 'AppKey (1.0 root key; 1.1 application root key)',
  'nwk-key': 'NwkKey (1.1 network root key)',
  'app-s-key': 'AppSKey',
  'nwk-s-key': 'NwkSKey (1.0)',
  'f-nwk-s-int-key': 'FNwkSIntKey (1.1)',
  's-nwk-s-int-key': 'SNwkSIntKey (1.1)',
  'nwk-s-enc-key': 'NwkSEncKey (1.1)',
  'js-int-key': 'JSIntKey (1.1)',
} as const;

const JOIN_REQ_TYPES: Record<string, JoinReqType> = {
  'join-request': 'JoinRequest',
  ff: 'JoinRequest',
  '0': 'RejoinRequest0',
  '1': 'RejoinRequest1',
  '2': 'RejoinRequest2',
};

function withKeys<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const [name, describe] of Object.entries(KEY_OPTIONS)) {
    out = out.option(name, { type: 'string', describe: `${describe}, 32 hex digits`, group: 'Keys:' });
  }
  return out;
}

/** The root and session keys given as options, by their camelCase names. */
function keysFromArgs(a: Record<string, unknown>) {
  return {
    appKey: optKey(a['app-key'], 'app-key'),
    nwkKey: optKey(a['nwk-key'], 'nwk-key'),
    appSKey: optKey(a['app-s-key'], 'app-s-key'),
    nwkSKey: optKey(a['nwk-s-key'], 'nwk-s-key'),
    fNwkSIntKey: optKey(a['f-nwk-s-int-key'], 'f-nwk-s-int-key'),
    sNwkSIntKey: optKey(a['s-nwk-s-int-key'], 's-nwk-s-int-key'),
    nwkSEncKey: optKey(a['nwk-s-enc-key'], 'nwk-s-enc-key'),
    jsIntKey: optKey(a['js-int-key'], 'js-int-key'),
  };
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new UsageError('no JSON on stdin: pipe a frame description in, or pass --json');
  }
}
