// The notebook page: dist/renderer/index.html, app.js + app.css (the notebook), editor.js +
// editor.css (Monaco, loaded after the first paint), shared chunks, Monaco's font, and the editor
// and TypeScript workers in workers/.
// The output frames beside it (dist/renderer/outputs/) come from outputs-frames.mjs.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** esbuild options for the page and its workers, built into `outdir`. */
export function rendererTargets(root, outdir) {
  const monaco = join(root, 'node_modules/monaco-editor/esm/vs');
  const common = { platform: 'browser', target: 'chrome120', bundle: true, minify: true, sourcemap: 'linked', legalComments: 'none' };
  return [
    {
      ...common,
      // Two entries sharing chunks: the page imports editor.js only once it has painted.
      entryPoints: { app: join(root, 'renderer/app/main.ts'), editor: join(root, 'renderer/notebook/editor/monaco-setup.ts') },
      outdir,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      assetNames: 'assets/[name]-[hash]',
      loader: { '.ttf': 'file' },
      plugins: [
        {
          name: 'copy-page',
          setup(build) {
            // Hashed chunks of earlier builds would pile up beside the page.
            build.onStart(() => {
              for (const dir of ['chunks', 'assets']) rmSync(join(outdir, dir), { recursive: true, force: true });
            });
            build.onEnd(() => {
              mkdirSync(outdir, { recursive: true });
              copyFileSync(join(root, 'renderer/app/index.html'), join(outdir, 'index.html'));
            });
          },
        },
      ],
    },
    {
      ...common,
      // Module workers (the page creates them with type: 'module'), served from the page's origin.
      entryPoints: {
        'editor.worker': join(monaco, 'editor/editor.worker.js'),
        'ts.worker': join(monaco, 'languages/features/typescript/ts.worker.js'),
      },
      outdir: join(outdir, 'workers'),
      format: 'esm',
    },
  ];
}

/** @param {string} root */
export function targets(root) {
  return rendererTargets(root, join(root, 'dist/renderer'));
}
