/** Field-mask paths on JSON documents ("session.keys.app_s_key.key"), as TTS applies them. */

import { LorafleetError } from '../crypto/errors.js';

type Doc = Record<string, unknown>;

/** A field-mask path no TTS message has: walking it could reach an object's prototype. */
export class FieldPathError extends LorafleetError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('LORAFLEET_FIELD_PATH', message);
  }
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^[a-z0-9_]{1,64}$/;

/**
 * Checks a field-mask path: dot-separated snake_case names, at most 16 deep, never a segment that
 * names a prototype. Every path from a request goes through here before it touches a document.
 */
export function checkPath(path: unknown): string {
  checkedParts(path);
  return path as string;
}

/**
 * Checked paths and their segments, kept while there are few: the registries walk the same few
 * hundred paths for every device, and a flood of distinct paths (hostile masks) only stops the caching.
 */
const checked = new Map<string, readonly string[]>();
const CHECKED_MAX = 4096;

function checkedParts(path: unknown): readonly string[] {
  if (typeof path === 'string') {
    const known = checked.get(path);
    if (known !== undefined) return known;
  }
  if (typeof path !== 'string' || path.length > 256)
    throw new FieldPathError(String(path).slice(0, 64), 'a field path is a string of at most 256 characters');
  const parts = path.split('.');
  if (parts.length > 16) throw new FieldPathError(path, 'a field path has at most 16 segments');
  for (const part of parts) {
    if (FORBIDDEN.has(part) || !SEGMENT.test(part))
      throw new FieldPathError(path, `invalid field path \`${path}\`: segment \`${part.slice(0, 64)}\``);
  }
  if (checked.size < CHECKED_MAX) checked.set(path, parts);
  return parts;
}

export function getPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const part of checked.get(path) ?? path.split('.')) {
    // Own properties only: `__proto__` or `constructor` never lead out of the document.
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Doc)[part];
  }
  return cur;
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = checkedParts(path);
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const next = Object.hasOwn(cur, part) ? cur[part] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Doc;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete cur[last];
  // A copy, so that the document never shares an object with its caller (primitives need none).
  else cur[last] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
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
