import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { cutTornLine } from '../state/torn-line.js';
import { StateStoreError } from './errors.js';
import type { PersistedMac } from './mac-state.js';

/** What lorafleet keeps of a device between runs, so that nothing the network remembers goes backwards. */
export interface PersistedDevice {
  /** Counter DevNonce policy (1.0.4, 1.1): every DevNonce below this may have been used. */
  devNonceBound?: number;
  /** Random DevNonce policy (≤ 1.0.3): the most recent ones used, newest last. */
  usedDevNonces?: number[];
  /** The last JoinNonce accepted (1.1 devices accept only a greater one). */
  joinNonce?: number;
  /** RJcount1 bound, as devNonceBound. */
  rjCount1Bound?: number;
  session?: PersistedSession;
}

/**
 * A device's session as kept between runs. An ABP device keeps only its counters and accepted MAC
 * state (its DevAddr and keys are its configuration's); a joined session keeps all it needs to
 * resume (`PersistedJoinedSession`).
 */
export interface PersistedSession {
  /** Every FCntUp below this may have been used. */
  fCntUpBound: number;
  /** Last accepted downlink counters (absent: none yet). */
  nFCntDown?: number;
  aFCntDown?: number;
  /** The MAC state the device accepted (channels, windows, power, ADR), restored with the session. */
  mac?: PersistedMac;
  rekeyPending?: boolean;
  devAddr?: number;
  /** Uppercase hex. */
  keys?: { fNwkSIntKey: string; sNwkSIntKey: string; nwkSEncKey: string; appSKey: string };
  version?: '1.0' | '1.1';
  netId?: number;
  rx1Delay?: number;
  rx1DrOffset?: number;
  rx2DataRate?: number;
  rx2Frequency?: number;
  /** Join-accept CFList, re-applied after a restart (type 0 frequencies or type 1 masks). */
  cfList?: { type: 'frequencies'; frequencies: number[] } | { type: 'channel-mask'; chMasks: number[] };
}

export type PersistedJoinedSession = PersistedSession &
  Required<
    Pick<
      PersistedSession,
      'devAddr' | 'keys' | 'version' | 'rx1Delay' | 'rx1DrOffset' | 'rx2DataRate' | 'rx2Frequency'
    >
  >;

/** Whether a saved session is a joined one, whole enough to resume. */
export function isJoinedSession(s: PersistedSession | undefined): s is PersistedJoinedSession {
  return (
    s?.keys !== undefined &&
    s.devAddr !== undefined &&
    s.version !== undefined &&
    s.rx1Delay !== undefined &&
    s.rx1DrOffset !== undefined &&
    s.rx2DataRate !== undefined &&
    s.rx2Frequency !== undefined
  );
}

/**
 * Device state on disk, one JSON line per change ({"id": …, "set": {…}}), replayed at open.
 * `update` returns only after write(2): once a frame leaves, what it used is in the kernel and
 * survives the process being killed (-9 included); `sync` adds fsync for power loss, and runs at
 * close. A torn last line (a crash mid-write) is ignored; any other bad line is an error that names
 * it. The file holds session keys: it is created readable by its owner only.
 */
export class StateStore {
  private readonly state = new Map<string, PersistedDevice>();
  private fd: number | undefined;
  private lines = 0;

  private constructor(readonly file: string | undefined) {}

  /** A store that keeps nothing across processes (tests, throw-away runs). */
  static memory(): StateStore {
    return new StateStore(undefined);
  }

  /** Set when open found the last line torn (a crash or a full disk mid-write) and cut it off. */
  repaired: string | undefined;

  static open(file: string): StateStore {
    const s = new StateStore(file);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      s.replay(text);
      s.repaired = cutTornLine(file, text);
    }
    try {
      s.fd = openSync(file, 'a', 0o600);
    } catch (e) {
      throw new StateStoreError(file, `cannot open for writing (${(e as Error).message})`, { cause: e });
    }
    return s;
  }

  private replay(text: string): void {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: { id?: unknown; set?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        // Only the very last line can be torn by a crash in the middle of a write.
        if (i >= lines.length - 2) return;
        throw new StateStoreError(this.file!, `line ${i + 1}: not JSON; the file is damaged`);
      }
      if (typeof rec.id !== 'string' || typeof rec.set !== 'object' || rec.set === null) {
        throw new StateStoreError(this.file!, `line ${i + 1}: expected {"id": …, "set": {…}}`);
      }
      this.merge(rec.id, rec.set as PersistedDevice);
      this.lines++;
    });
  }

  private merge(id: string, patch: PersistedDevice): PersistedDevice {
    const cur = this.state.get(id);
    if (cur === undefined) {
      // A device's first record is the patch itself (callers hand over a fresh object and the store
      // never changes a record in place): a copy would hold the same with room to spare.
      this.state.set(id, patch);
      return patch;
    }
    const next: PersistedDevice = { ...cur, ...patch };
    if ((patch.session as unknown) === null)
      delete next.session; // written by clearSession
    else if (patch.session !== undefined && cur.session !== undefined) {
      next.session = { ...cur.session, ...patch.session };
      // A null field is one forgotten (forgetDownlinkCounters).
      for (const [k, v] of Object.entries(next.session))
        if (v === null) delete (next.session as unknown as Record<string, unknown>)[k];
    }
    this.state.set(id, next);
    return next;
  }

  /**
   * Raises this store's nonce bounds to what another store's file knows (the same device run in
   * another shard layout writes to another file): DevNonce, RJcount1 and JoinNonce only go up, and
   * random DevNonces used anywhere stay used. Sessions are not taken: one resumes only in the layout
   * that made it. Nothing is written; the other file is read, never changed.
   */
  raiseFrom(file: string): void {
    if (!existsSync(file)) return;
    const other = new StateStore(file);
    other.replay(readFileSync(file, 'utf8'));
    const max = (a: number | undefined, b: number | undefined) =>
      a === undefined ? b : b === undefined ? a : Math.max(a, b);
    for (const [id, o] of other.state) {
      const cur = this.state.get(id) ?? {};
      const next: PersistedDevice = { ...cur };
      const devNonceBound = max(cur.devNonceBound, o.devNonceBound);
      const rjCount1Bound = max(cur.rjCount1Bound, o.rjCount1Bound);
      const joinNonce = max(cur.joinNonce, o.joinNonce);
      if (devNonceBound !== undefined) next.devNonceBound = devNonceBound;
      if (rjCount1Bound !== undefined) next.rjCount1Bound = rjCount1Bound;
      if (joinNonce !== undefined) next.joinNonce = joinNonce;
      if (o.usedDevNonces?.length) {
        const mine = cur.usedDevNonces ?? [];
        next.usedDevNonces = [...o.usedDevNonces.filter((n) => !mine.includes(n)), ...mine];
      }
      this.state.set(id, next);
    }
  }

  get(id: string): PersistedDevice | undefined {
    return this.state.get(id);
  }

  /** Records a change; durable against a process kill when this returns. */
  update(id: string, patch: PersistedDevice): void {
    this.merge(id, patch);
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ id, set: patch })}\n`);
    this.lines++;
  }

  /**
   * Forgets the downlink counters of a device's session that stand at 0: lorafleet registered its ABP session anew
   * and could not tell the network they were used (TTS reads `last_n_f_cnt_down: 0` as none), so
   * the device takes FCntDown 0 again, as a re-commissioned device would.
   */
  forgetDownlinkCounters(id: string): void {
    const cur = this.state.get(id)?.session;
    if (cur === undefined) return;
    const forget: Record<string, null> = {};
    if (cur.nFCntDown === 0) forget.nFCntDown = null;
    if (cur.aFCntDown === 0) forget.aFCntDown = null;
    if (Object.keys(forget).length === 0) return;
    const patch = { session: forget } as unknown as PersistedDevice;
    this.merge(id, patch);
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ id, set: patch })}\n`);
    this.lines++;
  }

  /** Forgets a device's session (a rejoin, a fresh ABP start), keeping its nonces. */
  clearSession(id: string): void {
    const cur = this.state.get(id);
    if (cur?.session === undefined) return;
    const { session: _s, ...rest } = cur;
    this.state.set(id, rest);
    if (this.fd !== undefined) {
      writeSync(this.fd, `${JSON.stringify({ id, set: { session: null } })}\n`);
      this.lines++;
    }
  }

  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** Rewrites the file as one line per device when it has grown past `factor` lines per device. */
  compact(factor = 8): void {
    if (
      this.file === undefined ||
      this.fd === undefined ||
      this.lines <= Math.max(64, factor * this.state.size)
    )
      return;
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    for (const [id, set] of this.state) writeSync(fd, `${JSON.stringify({ id, set })}\n`);
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a', 0o600);
    this.lines = this.state.size;
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
