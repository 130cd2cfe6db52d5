// The privileged kernel host: its own small entry (dist/node/kernel-host.js), so sudo/pkexec
// rules can name exactly one file, and root never loads the CLI, the server or the UI code.
// Same options as the Node side's CLI bundle.
import { join } from 'node:path';
import { targets as nodeTargets } from './node.mjs';

/** @param {string} root */
export function targets(root) {
  const [cli] = nodeTargets(root);
  return [{ ...cli, entryPoints: { 'kernel-host': join(root, 'core/node/kernel-host/kernel-host-main.ts') } }];
}
