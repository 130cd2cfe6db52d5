/**
 * Debian's Chromium, driven headless by playwright-core, for what needs a browser outside the
 * app: PDF and Markdown exports and the PNG fallbacks of figures. Only a system Chromium is used
 * (playwright-core downloads no browser of its own); `PROBEBOOK_CHROMIUM` names another binary.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** No Chromium here: says which package to install. */
export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
  constructor(what: string, tried: readonly string[]) {
    super(
      `${what} needs Chromium, which is not installed (looked for ${tried.join(', ')}): sudo apt install chromium, or set PROBEBOOK_CHROMIUM to a Chromium or Chrome binary.`,
    );
  }
}

/** The Chromium binary to use, or null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env['PROBEBOOK_CHROMIUM'];
  if (own) return existsSync(own) ? own : null;
  return CANDIDATES.find((c) => existsSync(c)) ?? null;
}

/** Starts headless Chromium, or throws {@link ChromiumMissingError} naming `what` needed it. */
export async function launchChromium(what: string, env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const path = findChromium(env);
  if (!path) throw new ChromiumMissingError(what, env['PROBEBOOK_CHROMIUM'] ? [env['PROBEBOOK_CHROMIUM']] : CANDIDATES);
  // Loaded here, not at start: `probebook run` imports this file, and loading playwright-core costs ~300 ms of CPU.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: path,
    // Chromium refuses to run as root inside its sandbox; the page is our own report under a CSP that runs only its own scripts.
    args: [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...(process.geteuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
}
