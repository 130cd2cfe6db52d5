/**
 * Preloading what the page loads after its first paint. The build names those modules (Monaco's
 * chunks, the output renderers and markdown, the cell languages) in index.html's
 * `<meta name="probebook-lazy-modules">`. Asked for one by one they arrive as a waterfall: editor.js,
 * then the chunks it imports once it has been parsed, then the languages. Preloaded together they
 * download side by side while the page paints, and the imports that follow find them ready.
 */

/** Adds a `<link rel="modulepreload">` for each lazily loaded module, once. Returns how many. */
export function preloadLazyModules(doc: Document = document): number {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="probebook-lazy-modules"]');
  if (!meta || meta.dataset['preloaded']) return 0;
  meta.dataset['preloaded'] = 'true';
  const paths = meta.content.split(/\s+/).filter(Boolean);
  for (const path of paths) {
    const link = doc.createElement('link');
    link.rel = 'modulepreload';
    link.href = new URL(path, doc.baseURI).href;
    doc.head.append(link);
  }
  return paths.length;
}
