/**
 * Loads Monaco (`editor.js` + `editor.css`, built beside the page) once, after the notebook has
 * painted. Until then cells show their code as static text; the page never waits for Monaco to
 * show a notebook. Editors can be made as soon as the module has loaded; static highlighting
 * follows when the cell languages' tokenizers have loaded too.
 */
export type EditorModule = typeof import('./monaco-setup.ts');

let loading: Promise<EditorModule> | null = null;
let loaded: EditorModule | null = null;
let tokenizersReady = false;
const onLoad = new Set<(m: EditorModule) => void>();
const onTokenizers = new Set<(m: EditorModule) => void>();

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
    loaded = mod;
    for (const fn of onLoad) fn(mod);
    onLoad.clear();
    void mod.warmTokenizers().then(() => {
      tokenizersReady = true;
      for (const fn of onTokenizers) fn(mod);
      onTokenizers.clear();
    });
    return mod;
  })();
  return loading;
}

/** Monaco if it has loaded, else null. */
export function monacoIfLoaded(): EditorModule | null {
  return loaded;
}

/** Monaco once its tokenizers can highlight every cell language, else null (show plain text). */
export function highlighterIfReady(): EditorModule | null {
  return tokenizersReady ? loaded : null;
}

/** Calls `fn` when Monaco has loaded (at once if it has). */
export function whenMonacoLoaded(fn: (m: EditorModule) => void): void {
  if (loaded) fn(loaded);
  else onLoad.add(fn);
}

/** Calls `fn` when static highlighting is possible (at once if it is). */
export function whenHighlighterReady(fn: (m: EditorModule) => void): void {
  if (tokenizersReady && loaded) fn(loaded);
  else onTokenizers.add(fn);
}
