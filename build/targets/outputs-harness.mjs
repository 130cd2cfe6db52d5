// A standalone page for the output renderers (dist/outputs-harness/): the e2e tests drive it,
// and it shows every renderer without the notebook app. Frames go to its outputs/ folder.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { frameTarget } from './outputs-frames.mjs';

/** The harness page and its frames, built into `outdir` (tests build into their own folders). */
export function harnessTargets(root, outdir) {
  return [
    {
      entryPoints: { harness: join(root, 'renderer/outputs/harness/harness.ts') },
      outdir,
      platform: 'browser',
      format: 'esm',
      target: 'chrome120',
      bundle: true,
      sourcemap: 'linked',
      plugins: [
        {
          name: 'copy-harness-page',
          setup(build) {
            build.onEnd(() => {
              mkdirSync(outdir, { recursive: true });
              copyFileSync(join(root, 'renderer/outputs/harness/index.html'), join(outdir, 'index.html'));
            });
          },
        },
      ],
    },
    frameTarget(root, join(outdir, 'outputs')),
  ];
}

/** @param {string} root */
export function targets(root) {
  return harnessTargets(root, join(root, 'dist/outputs-harness'));
}
