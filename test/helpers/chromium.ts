import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package, or CHROMIUM_PATH; playwright-core drives it (it downloads no browser). */
export function chromiumPath(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter((p): p is string => p !== undefined && p !== '');
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined)
    throw new Error(
      "the HTML report test needs Chromium: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH",
    );
  return found;
}

/**
 * Headless, and quiet on the network: without the background-networking flags Chromium reaches out
 * to its own services at start, which a closed machine refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
