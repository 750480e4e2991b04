import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { ScenarioProblem } from './errors.js';

/** One device of a fleet's CSV: what it gives replaces what the seed would derive. */
export interface DeviceRow {
  device_id?: string;
  dev_eui: string;
  join_eui?: string;
  app_key?: string;
  nwk_key?: string;
  dev_addr?: string;
  /** 1.0 ABP: NwkSKey (also accepted as f_nwk_s_int_key). */
  nwk_s_key?: string;
  f_nwk_s_int_key?: string;
  s_nwk_s_int_key?: string;
  nwk_s_enc_key?: string;
  app_s_key?: string;
  /** Position in metres, as gateway grids and lists are. */
  x?: number;
  y?: number;
}

const HEX: Record<string, number> = {
  dev_eui: 8,
  join_eui: 8,
  app_key: 16,
  nwk_key: 16,
  dev_addr: 4,
  nwk_s_key: 16,
  f_nwk_s_int_key: 16,
  s_nwk_s_int_key: 16,
  nwk_s_enc_key: 16,
  app_s_key: 16,
};
const NUMBERS = ['x', 'y'];
const COLUMNS = ['device_id', ...Object.keys(HEX), ...NUMBERS];
const DEVICE_ID = /^[a-z0-9](?:-?[a-z0-9]){2,}$/;

/** Enough for a million devices' rows; a larger file is not a device list. */
const MAX_CSV_BYTES = 256 << 20;

const shorten = (c: string) => JSON.stringify(c.length > 24 ? `${c.slice(0, 24)}…` : c);

/**
 * Reads a fleet's devices from CSV (a header row naming the columns, then a device a row; see
 * DeviceRow). Every problem names the file, the line, the column and the value. Keys the fleet's
 * activation and version need must be there: a CSV that gives some keys gives them all.
 */
export function readDevicesCsv(
  file: string,
  fleet: { activation: 'otaa' | 'abp'; version: string },
): { rows: DeviceRow[]; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const at = (line: number, path: string, message: string) => problems.push({ file, line, path, message });
  let text: string;
  try {
    // A regular file of bounded size: not a device, a FIFO or /proc (whose text would be echoed).
    const st = statSync(file);
    if (!st.isFile()) {
      at(0, '(file)', 'expected a regular file');
      return { rows: [], problems };
    }
    if (st.size > MAX_CSV_BYTES) {
      at(0, '(file)', `expected at most ${MAX_CSV_BYTES / (1 << 20)} MiB, got ${st.size} bytes`);
      return { rows: [], problems };
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    at(0, '(file)', `cannot be read: ${(e as Error).message}`);
    return { rows: [], problems };
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      comment: '#',
    }) as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    at(line, '(syntax)', (e as Error).message.split('\n')[0]!);
    return { rows: [], problems };
  }
  const header = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  const headerLine = text.split(/\r?\n/).indexOf(header) + 1;
  const columns = header.split(',').map((h) => h.trim().toLowerCase());
  // Unknown cells are named shortened and JSON-quoted: a file that is not a device list (or holds
  // secrets) is not echoed back whole.
  const unknown = columns.filter((c) => !COLUMNS.includes(c));
  for (const c of unknown.slice(0, 5))
    at(headerLine, shorten(c), `unknown column (known: ${COLUMNS.join(', ')})`);
  if (unknown.length > 5) at(headerLine, '(header)', `and ${unknown.length - 5} more unknown columns`);
  const needed =
    fleet.activation === 'otaa'
      ? ['dev_eui', 'app_key', ...(fleet.version === '1.1' ? ['nwk_key'] : [])]
      : [
          'dev_eui',
          'dev_addr',
          'app_s_key',
          ...(fleet.version === '1.1' ? ['f_nwk_s_int_key', 's_nwk_s_int_key', 'nwk_s_enc_key'] : []),
        ];
  for (const c of needed)
    if (!columns.includes(c))
      at(headerLine, c, `expected a ${c} column for ${fleet.activation} ${fleet.version} devices, got none`);
  if (
    fleet.activation === 'abp' &&
    fleet.version !== '1.1' &&
    !columns.includes('nwk_s_key') &&
    !columns.includes('f_nwk_s_int_key')
  )
    at(headerLine, 'nwk_s_key', `expected a nwk_s_key column for abp ${fleet.version} devices, got none`);
  if (problems.length > 0) return { rows: [], problems };

  const rows: DeviceRow[] = [];
  const seenEui = new Map<string, number>();
  const seenId = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const row: Record<string, string | number> = {};
    for (const [k, raw] of Object.entries(record)) {
      if (raw === '') continue;
      if (k in HEX) {
        const v = raw.replace(/[\s:-]/g, '').toUpperCase();
        if (!new RegExp(`^[0-9A-F]{${HEX[k]! * 2}}$`).test(v)) {
          at(line, k, `expected ${HEX[k]! * 2} hex digits, got ${JSON.stringify(raw)}`);
          continue;
        }
        row[k] = v;
      } else if (NUMBERS.includes(k)) {
        const n = Number(raw);
        if (!Number.isFinite(n)) at(line, k, `expected a number, got ${JSON.stringify(raw)}`);
        else row[k] = n;
      } else if (k === 'device_id') {
        if (!DEVICE_ID.test(raw) || raw.length > 36)
          at(
            line,
            k,
            `expected an ID of 3 to 36 lowercase letters, digits and single dashes, got ${JSON.stringify(raw)}`,
          );
        else row[k] = raw;
      }
    }
    for (const c of needed)
      if (record[c] === '' || record[c] === undefined) at(line, c, 'expected a value, got nothing');
    const eui = row.dev_eui as string | undefined;
    if (eui !== undefined) {
      const key = `${(row.join_eui as string | undefined) ?? ''}/${eui}`;
      if (seenEui.has(key))
        at(
          line,
          'dev_eui',
          `expected a DevEUI no other row has, got ${eui} (also on line ${seenEui.get(key)})`,
        );
      seenEui.set(key, line);
    }
    const id = row.device_id as string | undefined;
    if (id !== undefined) {
      if (seenId.has(id))
        at(
          line,
          'device_id',
          `expected an ID no other row has, got ${JSON.stringify(id)} (also on line ${seenId.get(id)})`,
        );
      seenId.set(id, line);
    }
    rows.push(row as unknown as DeviceRow);
  }
  if (rows.length === 0 && problems.length === 0)
    at(headerLine, '(rows)', 'expected at least one device, got none');
  return { rows, problems };
}
