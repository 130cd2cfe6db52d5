/**
 * Private folders for the files cells exchange with us (FIFOs, shell state): on a tmpfs where
 * there is one (XDG_RUNTIME_DIR, /dev/shm), since every cell creates and removes a few there.
 */
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let base: string | undefined;

function runtimeBase(): string {
  for (const candidate of [process.env.XDG_RUNTIME_DIR, '/dev/shm']) {
    if (!candidate) continue;
    try {
      if (!statSync(candidate).isDirectory()) continue;
      accessSync(candidate, constants.W_OK | constants.X_OK);
      return candidate;
    } catch {
      // not usable here
    }
  }
  return tmpdir();
}

/** A new 0700 folder `<prefix>XXXXXX` (mkdtemp), readable by this user only. */
export function makePrivateDir(prefix: string): string {
  base ??= runtimeBase();
  return mkdtempSync(join(base, prefix));
}
