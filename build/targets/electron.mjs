// The Electron side: main process and preload, into dist/electron/.
//
// main.js is ESM (Electron ≥ 28 loads ESM main scripts; Electron 41 runs Node 24). ESM because
// the Node side is ESM throughout (execa 9 is ESM-only, code uses import.meta.dirname), and
// bundling it into CommonJS would silently empty import.meta. main.ts awaits nothing at top
// level, so privileged schemes and the sandbox are still set up before `ready`. Packages are
// bundled (only `electron` stays external), so a packaged app needs no node_modules; the banner
// gives bundled CommonJS packages a `require` for Node built-ins.
//
// preload.cjs is CommonJS: a sandboxed preload is a single script, evaluated with a `require`
// that knows only `electron` (and a few polyfills), so everything else must be bundled in.
import { join } from 'node:path';

/** @param {string} root */
export function targets(root) {
  const outdir = join(root, 'dist/electron');
  return [
    {
      entryPoints: { main: join(root, 'electron/main/main.ts') },
      outdir,
      outExtension: { '.js': '.js' },
      platform: 'node',
      format: 'esm',
      target: 'node22',
      bundle: true,
      external: ['electron', 'bufferutil', 'utf-8-validate'],
      banner: { js: "import { createRequire as __pbCreateRequire } from 'node:module'; const require = __pbCreateRequire(import.meta.url);" },
      sourcemap: 'linked',
      logOverride: { 'empty-import-meta': 'error' },
    },
    {
      entryPoints: { preload: join(root, 'electron/preload/preload.ts') },
      outdir,
      outExtension: { '.js': '.cjs' },
      platform: 'browser',
      format: 'cjs',
      target: 'chrome130',
      bundle: true,
      external: ['electron'],
      sourcemap: 'linked',
    },
  ];
}
