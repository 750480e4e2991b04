import { ByteReader } from '../bytes.js';
import { CodecError, EncodeError } from '../errors.js';
import * as classB from './class-b.js';
import * as classC from './class-c.js';
import type { MacCommandSpec } from './codec.js';
import type { MacCommand, MacCommandName, MacDirection } from './fields.js';
import * as link from './link.js';
import * as radio from './radio-params.js';
import * as session from './session.js';

/**
 * The MAC command table: CID and direction → spec. Lengths live here and nowhere else; the FOpts
 * splitter needs nothing but them (a command's length is implied by its CID, so an unknown CID ends
 * parsing: LoRaWAN 1.0.4 §5 "the MAC command processing must stop").
 */
// Each spec is typed by its own fields; the table erases that (the codec functions are only ever
// called with fields of the spec's own name).
const SPECS = [
  ...Object.values(session),
  ...Object.values(link),
  ...Object.values(radio),
  ...Object.values(classB),
  ...Object.values(classC),
].filter(
  (v: unknown) => typeof v === 'object' && v !== null && 'cid' in v && 'decode' in v,
) as unknown as MacCommandSpec[];

const byDirection: Record<MacDirection, (MacCommandSpec | undefined)[]> = {
  uplink: new Array<MacCommandSpec | undefined>(256),
  downlink: new Array<MacCommandSpec | undefined>(256),
};
const byName = new Map<string, MacCommandSpec>();
for (const s of SPECS) {
  byDirection[s.direction][s.cid] = s;
  byName.set(s.name, s);
}

export const MAC_COMMAND_SPECS: readonly MacCommandSpec[] = SPECS;

export function macCommandSpec(direction: MacDirection, cid: number): MacCommandSpec | undefined {
  return byDirection[direction][cid];
}

export function macCommandSpecByName<N extends MacCommandName>(name: N): MacCommandSpec<N> {
  const s = byName.get(name);
  if (s === undefined) throw new EncodeError('MAC command', name, 'a known MAC command name');
  return s as unknown as MacCommandSpec<N>;
}

export interface ParsedMacCommands {
  commands: MacCommand[];
  /** Set when parsing stopped before the end: an unknown or proprietary CID, or a truncated command. */
  stopped?: CodecError;
}

/**
 * Splits a FOpts field or an FPort-0 FRMPayload into MAC commands. Never throws: what cannot be
 * parsed ends the list and is reported in `stopped`, as a device or network must carry on.
 */
export function parseMacCommands(bytes: Uint8Array, direction: MacDirection): ParsedMacCommands {
  const commands: MacCommand[] = [];
  const r = new ByteReader(bytes);
  while (r.remaining > 0) {
    const offset = r.offset;
    const cid = bytes[offset]!;
    const s = byDirection[direction][cid];
    if (s === undefined) {
      const what = cid >= 0x80 ? 'proprietary CID' : 'unknown CID';
      return {
        commands,
        stopped: new CodecError(
          'MAC command',
          offset,
          `${what} 0x${cid.toString(16).padStart(2, '0')} (${direction})`,
          cid,
        ),
      };
    }
    try {
      r.offset++;
      r.need(s.length, s.name);
      const fields = s.decode(r);
      commands.push({ name: s.name, ...fields } as MacCommand);
    } catch (e) {
      if (e instanceof CodecError) return { commands, stopped: e };
      throw e;
    }
  }
  return { commands };
}

/** As parseMacCommands, but anything left unparsed is an error. */
export function decodeMacCommands(bytes: Uint8Array, direction: MacDirection): MacCommand[] {
  const { commands, stopped } = parseMacCommands(bytes, direction);
  if (stopped !== undefined) throw stopped;
  return commands;
}

export function macCommandsLength(commands: readonly MacCommand[]): number {
  let n = 0;
  for (const c of commands) n += 1 + macCommandSpecByName(c.name).length;
  return n;
}

export function encodeMacCommands(commands: readonly MacCommand[]): Uint8Array {
  const out = new Uint8Array(macCommandsLength(commands));
  let o = 0;
  for (const c of commands) {
    const s = macCommandSpecByName(c.name) as MacCommandSpec;
    out[o] = s.cid;
    (s.encode as (f: unknown, out: Uint8Array, o: number) => void)(c, out, o + 1);
    o += 1 + s.length;
  }
  return out;
}
