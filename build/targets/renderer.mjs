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
              const { eager, lazy } = pageModules(result.metafile?.outputs ?? {}, outdir);
              const preload = eager.map((c) => `<link rel="modulepreload" href="${c}">\n`).join('');
              // The modules loaded after the first paint (Monaco, the output renderers) are named in
              // the page too; the page preloads them all at once when it starts loading them, instead
              // of discovering each chunk only after its importer has arrived.
              const lazyMeta = `<meta name="probebook-lazy-modules" content="${lazy.join(' ')}">\n`;
              const page = readFileSync(join(root, 'renderer/app/index.html'), 'utf8').replace(
                '<script type="module" src="app.js"></script>',
                `${lazyMeta}${preload}$&`,
              );
              writeFileSync(join(outdir, 'index.html'), page);
            });
          },
        },
      ],
    },
    {
      ...common,
      // A classic script of its own, loaded async ahead of app.js: it opens the link to the host.
      entryPoints: { boot: join(root, 'renderer/app/boot.ts') },
      outdir,
      format: 'iife',
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

/**
 * The page's JavaScript files by when they load, as paths relative to `outdir`, from esbuild's
 * metafile outputs. `eager`: the chunks app.js imports statically. `lazy`: everything the page
 * loads after its first paint: app.js's dynamic imports, editor.js and the language definitions
 * it imports dynamically, with all their static imports, less what app.js already loaded. (Big
 * features loaded on demand, like the TypeScript language service, are not among them.)
 * @param {Record<string, { bytes?: number, imports: { path: string, kind: string, external?: boolean }[] }>} outputs
 * @param {string} outdir
 */
export function pageModules(outputs, outdir) {
  const key = (file) => relative(outdir, resolve(file));
  const byKey = new Map(Object.entries(outputs).map(([file, out]) => [key(file), out]));
  const imports = (file, kind) => (byKey.get(file)?.imports ?? []).filter((i) => i.kind === kind && !i.external).map((i) => key(i.path));
  const closure = (roots) => {
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const dep of imports(file, 'import-statement')) visit(dep);
    };
    roots.forEach(visit);
    return seen;
  };
  const eager = imports('app.js', 'import-statement');
  const loaded = closure(['app.js']);
  const roots = [...imports('app.js', 'dynamic-import'), ...(byKey.has('editor.js') ? ['editor.js', ...imports('editor.js', 'dynamic-import')] : [])];
  const lazy = [...closure(roots)].filter((f) => !loaded.has(f));
  // The biggest first: they take longest to arrive.
  lazy.sort((a, b) => (byKey.get(b)?.bytes ?? 0) - (byKey.get(a)?.bytes ?? 0));
  return { eager, lazy };
}

/** @param {string} root */
export function targets(root) {
  return rendererTargets(root, join(root, 'dist/renderer'));
}
