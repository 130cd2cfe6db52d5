// The privileged kernel host: its own small entry (dist/node/kernel-host.js), so sudo/pkexec
// rules can name exactly one file, and root never loads the CLI, the server or the UI code.
// Same options as the Node side's CLI bundle.
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { targets as nodeTargets } from './node.mjs';

/** The reaper (core/node/process/reaper.ts) reads its script beside the bundle, as it does beside its source. */
const REAPER = 'core/node/process/probebook-reaper.sh';

/** @param {string} root */
export function targets(root) {
  const [cli] = nodeTargets(root);
  const outdir = cli.outdir;
  /** @type {import('esbuild').Plugin} */
  const shipReaper = {
    name: 'ship-reaper',
    setup(build) {
      build.onEnd(() => {
        mkdirSync(outdir, { recursive: true });
        // Through a temp name: a kernel host starting now reads the old script or the new one, never half of one.
        const temp = join(outdir, `.probebook-reaper.sh.${process.pid}`);
        copyFileSync(join(root, REAPER), temp);
        renameSync(temp, join(outdir, 'probebook-reaper.sh'));
      });
    },
  };
  // Its packages are bundled in (esbuild, which runs its own binary, excepted): a kernel host starts
  // for every session and `probebook run`, and resolving and loading execa's dozens of files took
  // about a fifth of its time to welcome.
  const { external: _external, ...options } = cli;
  return [
    {
      ...options,
      entryPoints: { 'kernel-host': join(root, 'core/node/kernel-host/kernel-host-main.ts') },
      external: ['esbuild'],
      // TypeScript cells import the user's modules at run time (module-import.ts): never bundled.
      logOverride: { 'unsupported-dynamic-import': 'silent' },
      // CommonJS packages inside (cross-spawn…) call require() for Node's modules.
      banner: { js: "import { createRequire as __probebookRequire } from 'node:module'; const require = __probebookRequire(import.meta.url);" },
      plugins: [shipReaper],
    },
  ];
}
