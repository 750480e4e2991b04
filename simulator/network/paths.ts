/** Field-mask paths on JSON documents ("session.keys.app_s_key.key"), as TTS applies them. */

type Doc = Record<string, unknown>;

export function getPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Doc)[part];
  }
  return cur;
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Doc;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = structuredClone(value);
}

/** Copies the given paths of `from` onto `to` (a path absent in `from` is cleared, as a mask does). */
export function applyMask(to: Doc, from: Doc, paths: readonly string[]): void {
  for (const p of paths) setPath(to, p, getPath(from, p));
}

/** A new document with only the given paths (and `ids`, always returned). */
export function pick(
  doc: Doc,
  paths: readonly string[],
  always: readonly string[] = ['ids', 'created_at', 'updated_at'],
): Doc {
  const out: Doc = {};
  for (const p of [...always, ...paths]) {
    const v = getPath(doc, p);
    if (v !== undefined) setPath(out, p, v);
  }
  return out;
}
