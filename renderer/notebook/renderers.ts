/**
 * The output renderers and the markdown renderer, loaded after the notebook's first paint (they
 * are most of the page's own code): cells show code and status at once, outputs a moment later.
 */
export type OutputsModule = typeof import('../outputs/index.ts');
export type MarkdownModule = typeof import('./markdown-cell.ts');

export interface Renderers {
  outputs: OutputsModule;
  markdown: MarkdownModule;
}

let loading: Promise<Renderers> | null = null;
let loaded: Renderers | null = null;

export function loadRenderers(): Promise<Renderers> {
  loading ??= Promise.all([import('../outputs/index.ts'), import('./markdown-cell.ts')]).then(([outputs, markdown]) => (loaded = { outputs, markdown }));
  return loading;
}

/** The renderers if they have loaded, else null. */
export function renderersIfLoaded(): Renderers | null {
  return loaded;
}
