/**
 * Loads Monaco (`editor.js` + `editor.css`, built beside the page) once, after the notebook has
 * painted. Until then cells show their code as static text; the page never waits for Monaco to
 * show a notebook.
 */
export type EditorModule = typeof import('./monaco-setup.ts');

let loading: Promise<EditorModule> | null = null;
let loaded: EditorModule | null = null;
const waiters = new Set<(m: EditorModule) => void>();

/** Starts loading Monaco (once) and resolves with it. */
export function loadMonaco(): Promise<EditorModule> {
  loading ??= (async () => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('editor.css', document.baseURI).href;
    const cssLoaded = new Promise<void>((resolve) => {
      css.onload = () => resolve();
      // Without its stylesheet Monaco still edits; say why it looks wrong.
      css.onerror = () => {
        console.error('Probebook: editor.css did not load; the editor may look wrong.');
        resolve();
      };
    });
    document.head.append(css);
    // A URL, not a bundled import: editor.js is its own entry with its own stylesheet.
    const url = new URL('editor.js', document.baseURI).href;
    const [mod] = await Promise.all([import(/* @vite-ignore */ url) as Promise<EditorModule>, cssLoaded]);
    await mod.warmTokenizers();
    loaded = mod;
    for (const w of waiters) w(mod);
    waiters.clear();
    return mod;
  })();
  return loading;
}

/** Monaco if it has loaded, else null (callers show static text meanwhile). */
export function monacoIfLoaded(): EditorModule | null {
  return loaded;
}

/** Calls `fn` when Monaco is loaded (at once if it is). */
export function whenMonacoLoaded(fn: (m: EditorModule) => void): void {
  if (loaded) fn(loaded);
  else waiters.add(fn);
}
