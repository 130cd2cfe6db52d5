/**
 * Where the kernel host comes from when the session host runs inside Electron. Electron's own
 * binary cannot be the kernel host's Node (packaged apps fuse RunAsNode off, and elevating the
 * GUI binary would start the app as root), so a system `node` runs the kernel host bundle, which
 * a packaged app keeps outside app.asar (asarUnpack) where that `node` can read it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';

/** `dist/node/kernel-host.js` for a main bundle in `mainDir` (`…/dist/electron`), outside any asar. */
export function kernelHostBundle(mainDir: string): string {
  const unpacked = mainDir
    .split(sep)
    .map((part) => (part === 'app.asar' ? 'app.asar.unpacked' : part))
    .join(sep);
  return join(unpacked, '..', 'node', 'kernel-host.js');
}

/** The first executable `node` on `PATH`, or null. */
export function findSystemNode(path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'node');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking along PATH
    }
  }
  return null;
}
