// The privileged kernel host: its own small entry (dist/node/kernel-host.js), so sudo/pkexec
// rules can name exactly one file, and root never loads the CLI, the server or the UI code.
import { join } from 'node:path';

/** @param {string} root */
export function targets(root) {
  return [
    {
      entryPoints: { 'kernel-host': join(root, 'core/node/host/kernel-host-main.ts') },
      outdir: join(root, 'dist/node'),
      platform: 'node',
      format: 'esm',
      target: 'node20',
      bundle: true,
      packages: 'external',
      sourcemap: 'linked',
    },
  ];
}
