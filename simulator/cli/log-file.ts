import { pino } from 'pino';
import type { Logger } from '../tts/logger.js';

/**
 * Paths where a secret could appear in a log object. lorafleet's parts log no keys on purpose; this is
 * the second line of defence, so a careless log call cannot leak a key into a file that gets shared.
 */
const SECRET_PATHS = [
  'apiKey',
  'api_key',
  'key',
  'authorization',
  'headers.authorization',
  '*.apiKey',
  '*.key',
  '*.appKey',
  '*.nwkKey',
  '*.appSKey',
  '*.fNwkSIntKey',
  '*.sNwkSIntKey',
  '*.nwkSEncKey',
  'root_keys',
  'session.keys',
];

/** pino JSON lines into `file` (appended, created 0600), synchronous so a crash loses nothing. */
export function fileLogger(
  file: string,
  level: 'debug' | 'info' | 'warn' = 'info',
): Logger & { flush(): void } {
  const dest = pino.destination({ dest: file, sync: true, append: true, mkdir: true, mode: 0o600 });
  return pino(
    {
      level,
      base: { app: 'lorafleet' },
      redact: { paths: SECRET_PATHS, censor: '[secret]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    dest,
  );
}
