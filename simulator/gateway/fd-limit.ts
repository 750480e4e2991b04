import { readFileSync } from 'node:fs';

/**
 * The soft limit on open files of this process (each gateway holds one UDP socket), read from
 * /proc/self/limits; undefined where that file does not exist. Node cannot raise it itself: the
 * shell's `ulimit -n` does, before lorafleet starts.
 */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** Sockets lorafleet keeps besides gateway sockets (HTTP, MQTT, logs, workers): a margin. */
const RESERVED_FILES = 64;

/** A message saying how to run `count` gateways, or undefined when the limit allows it. */
export function gatewaySocketShortfall(count: number, limit = openFileLimit()): string | undefined {
  if (limit === undefined || count + RESERVED_FILES <= limit) return undefined;
  return (
    `${count} gateways need ${count + RESERVED_FILES} open files but this process may open ${limit}; ` +
    `raise the limit first, e.g. \`ulimit -n ${Math.max(count + RESERVED_FILES, 1024)}\``
  );
}
