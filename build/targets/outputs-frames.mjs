// The sandboxed output frames (plots, untrusted HTML) beside the page: dist/renderer/outputs/
// gets plot-frame.html, html-frame.html, output-frame.js/.css, plotly.min.js and
// plotly-cartesian.min.js (the frame loads the smaller one when a figure's traces allow). The page's
// outputs code loads them from `outputs/` next to its own URL (see docs/outputs.md).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** esbuild options that build the frame script into `outdir` and copy the frame's static files. */
export function frameTarget(root, outdir) {
  const frames = join(root, 'renderer/outputs/frames');
  return {
    entryPoints: { 'output-frame': join(frames, 'output-frame.ts') },
    outdir,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    plugins: [
      {
        name: 'copy-frame-files',
        setup(build) {
          build.onEnd(() => {
            mkdirSync(outdir, { recursive: true });
            for (const f of ['plot-frame.html', 'html-frame.html', 'output-frame.css']) copyFileSync(join(frames, f), join(outdir, f));
            copyFileSync(join(root, 'node_modules/plotly.js-dist-min/plotly.min.js'), join(outdir, 'plotly.min.js'));
            copyFileSync(join(root, 'node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js'), join(outdir, 'plotly-cartesian.min.js'));
          });
        },
      },
    ],
  };
}

/** @param {string} root */
export function targets(root) {
  return [frameTarget(root, join(root, 'dist/renderer/outputs'))];
}
