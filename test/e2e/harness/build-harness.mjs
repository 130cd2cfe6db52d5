// The outputs harness page (index.html, harness.ts): the e2e tests (test/e2e/outputs-*.test.ts)
// build it, with the output frames in its outputs/ folder, into a folder of their own through
// test/support/outputs-harness.ts. It is a test page: the product build (build/build.mjs) never
// builds it. `node test/e2e/harness/build-harness.mjs` builds it into test-artifacts/outputs-harness/
// to look at by hand.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameTarget } from '../../../build/targets/outputs-frames.mjs';

/** esbuild options for the harness page and its frames, built into `outdir`. */
export function harnessTargets(root, outdir) {
  const here = join(root, 'test/e2e/harness');
  return [
    {
      entryPoints: { harness: join(here, 'harness.ts') },
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
              copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
            });
          },
        },
      ],
    },
    frameTarget(root, join(outdir, 'outputs')),
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { build } = await import('esbuild');
  const root = resolve(import.meta.dirname, '../../..');
  const outdir = join(root, 'test-artifacts/outputs-harness');
  await Promise.all(harnessTargets(root, outdir).map((options) => build({ logLevel: 'warning', ...options })));
  console.log(`Built ${join(outdir, 'index.html')}: serve that folder over HTTP (e.g. python3 -m http.server -d ${outdir}) and open it.`);
}
