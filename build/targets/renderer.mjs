// The notebook page: dist/renderer/index.html, app.js + app.css (the notebook), editor.js +
// editor.css (Monaco, loaded after the first paint), shared chunks, Monaco's font, and the editor
// and TypeScript workers in workers/.
// The output frames beside it (dist/renderer/outputs/) come from outputs-frames.mjs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

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
      metafile: true,
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
            build.onEnd((result) => {
              mkdirSync(outdir, { recursive: true });
              // The chunks app.js imports statically are announced in the page itself, so the
              // browser fetches them alongside app.js instead of after parsing it.
              const app = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('/app.js') || file === 'app.js');
              const chunks = (app?.[1].imports ?? []).filter((i) => i.kind === 'import-statement' && !i.external).map((i) => relative(outdir, resolve(i.path)));
              const preload = chunks.map((c) => `<link rel="modulepreload" href="${c}">\n`).join('');
              const page = readFileSync(join(root, 'renderer/app/index.html'), 'utf8').replace('<script type="module" src="app.js"></script>', `${preload}$&`);
              writeFileSync(join(outdir, 'index.html'), page);
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
