import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DeviceEventRecord, TraceLine, TraceRecord } from '../report/trace.js';
import { UsageError } from './errors.js';

/**
 * `lorafleet trace show FILE --device ID`: one device's story from a run's trace, a line a frame or
 * event, in order — joins, each uplink with its channel, data rate and power and who heard it, what
 * came down in which window, MAC commands both ways, ACKs, violations — to read beside a firmware log.
 * Streams the file: a trace of millions of frames is read, never held.
 */
export async function traceShow(
  o: { file: string; device: string; json?: boolean },
  out: (line: string) => void,
): Promise<number> {
  const stream = createReadStream(o.file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`${o.file}: cannot read (${e.code ?? e.message})`)),
    );
  });
  await opened;
  let originUs: number | undefined;
  let n = 0;
  let shown = 0;
  const seen = new Set<string>();
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    n++;
    if (text.trim() === '') continue;
    const line = parse(text, o.file, n);
    originUs ??= line.atUs;
    if (line.device !== null && seen.size < 5) seen.add(line.device);
    if (line.device !== o.device) continue;
    if (shown === 0 && !o.json)
      out(`lorafleet trace — ${o.device} (${o.file}); t in seconds from the first frame`);
    shown++;
    out(o.json ? text : storyLine(line, originUs));
  }
  if (shown === 0)
    throw new UsageError(
      `${o.file}: no line for device ${o.device}${seen.size > 0 ? ` (devices there include ${[...seen].join(', ')})` : ' (the trace is empty)'}`,
    );
  return 0;
}

function parse(text: string, file: string, n: number): TraceLine {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}:${n}: not a JSON line (${(e as Error).message})`);
  }
  const l = v as Partial<TraceLine>;
  if (typeof v !== 'object' || v === null || typeof l.atUs !== 'number' || typeof l.dir !== 'string')
    throw new UsageError(`${file}:${n}: not a lorafleet trace line (no atUs and dir)`);
  return l as TraceLine;
}

const seconds = (atUs: number, originUs: number) => ((atUs - originUs) / 1e6).toFixed(3).padStart(9);

/** One line of the story: `t  ↑/↓/•  what  details`. */
export function storyLine(l: TraceLine, originUs: number): string {
  const t = seconds(l.atUs, originUs);
  if (l.dir === 'device') return `${t}  •  ${eventText(l.event)}`;
  const f = l.frame;
  const what = String(f.mType ?? l.kind).padEnd(19);
  const radio = `${(l.frequencyHz / 1e6).toFixed(1)} MHz ${l.datr} ${l.eirpDbm} dBm`;
  const mac = macText(f.macCommands);
  return `${t}  ${l.dir === 'up' ? '↑' : '↓'}  ${what} ${[frameText(f), radio, heardText(l), mac]
    .filter((s) => s !== '')
    .join('  ')}`;
}

function frameText(f: Record<string, unknown>): string {
  if (typeof f.error === 'string') return `undecodable: ${f.error}`;
  const mic = f.micValid === false ? '  MIC INVALID' : '';
  switch (f.mType) {
    case 'JoinRequest':
      return `DevNonce ${String(f.devNonce)}${mic}`;
    case 'RejoinRequest':
      return `type ${String(f.rejoinType)} RJcount ${String(f.rjCount)}${mic}`;
    case 'JoinAccept':
      return f.devAddr === undefined
        ? 'encrypted (no key opens it)'
        : `DevAddr ${String(f.devAddr)} JoinNonce ${String(f.joinNonce)} RxDelay ${String(f.rxDelaySeconds)} s${mic}`;
    default: {
      const c = (f.fCtrl ?? {}) as Record<string, boolean>;
      const flags = ['adr', 'adrAckReq', 'ack', 'fPending']
        .filter((k) => c[k] === true)
        .map((k) => k.toUpperCase());
      const bytes = typeof f.frmPayload === 'string' ? f.frmPayload.length / 2 : 0;
      const port =
        f.fPort === null || f.fPort === undefined ? '' : ` FPort ${String(f.fPort)} (${bytes} bytes)`;
      return `FCnt ${String(f.fCnt)}${port}${flags.length > 0 ? ` [${flags.join(' ')}]` : ''}${mic}`;
    }
  }
}

function heardText(l: TraceRecord): string {
  if (l.dir === 'down')
    return `from ${l.gateway ?? '?'}${l.fate === 'unheard' ? ', heard by no device' : ''}`;
  const ok = (l.gateways ?? []).filter((g) => g.lost === undefined).sort((a, b) => b.rssi - a.rssi);
  if (l.fate === 'out-of-range') return 'heard by no gateway (out of range)';
  if (ok.length === 0) return `collided at every gateway (${(l.gateways ?? []).length})`;
  return `heard by ${ok.length} (best ${ok[0]!.rssi} dBm, SNR ${ok[0]!.snr} dB)`;
}

function macText(cmds: unknown): string {
  if (!Array.isArray(cmds) || cmds.length === 0) return '';
  const one = (c: Record<string, unknown>) => {
    const fields = Object.entries(c)
      .filter(([k]) => k !== 'name')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    return `${String(c.name)}(${fields.join(' ')})`;
  };
  return `MAC ${(cmds as Record<string, unknown>[]).map(one).join(', ')}`;
}

function eventText(e: DeviceEventRecord['event']): string {
  const { type, ...rest } = e;
  switch (type) {
    case 'joined':
      return `joined: DevAddr ${Number(rest.devAddr).toString(16).toUpperCase().padStart(8, '0')}, LoRaWAN ${String(rest.version)}, attempt ${String(rest.attempt)}`;
    case 'downlink':
      return `received in ${String(rest.window)}: FCnt ${String(rest.fCnt)}${rest.fPort === null ? '' : ` FPort ${String(rest.fPort)}`}${rest.confirmed ? ' (confirmed)' : ''}${rest.payload ? ` ${String(rest.payload)}` : ''}`;
    case 'violation':
      return `VIOLATION ${String(rest.kind)}: ${String(rest.detail)}`;
    case 'simulator-late':
      return `lost to the simulator's own lag: ${String(rest.detail)}`;
    case 'too-weak':
      return `${rest.joinAccept ? 'Join-accept' : 'downlink'} sent through a gateway too far for this device to hear it`;
    case 'not-scheduled':
      return `${rest.joinAccept ? 'Join-accept' : 'downlink'} not scheduled: the network had no gateway with room for it`;
    case 'gateway-refused':
      return `${rest.joinAccept ? 'Join-accept' : 'downlink'} refused by the gateway (TX_ACK ${String(rest.error)}): never on air`;
    default:
      return `${type}${
        Object.keys(rest).length > 0
          ? `: ${Object.entries(rest)
              .map(([k, v]) => `${k} ${String(v)}`)
              .join(', ')}`
          : ''
      }`;
  }
}
