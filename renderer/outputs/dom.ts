/**
 * Small DOM helpers for the renderers. Text always goes in through `textContent`; nothing here
 * takes HTML.
 */

type Child = Node | string | null | undefined | false;

/** `h('div', 'pb-x', child…)`: an element with classes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A small toolbar button. */
export function button(label: string, title: string, onClick: (ev: MouseEvent) => void, className = ''): HTMLButtonElement {
  const b = h('button', `pb-btn ${className}`.trim(), label);
  b.type = 'button';
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    onClick(ev);
  });
  return b;
}

/** Briefly shows `done` on a button (e.g. "Copied"), then its label again. */
export function flashButton(b: HTMLButtonElement, done: string): void {
  const label = b.dataset['label'] ?? b.textContent ?? '';
  b.dataset['label'] = label;
  b.textContent = done;
  b.classList.add('pb-btn-done');
  setTimeout(() => {
    b.textContent = label;
    b.classList.remove('pb-btn-done');
  }, 1200);
}

/** Copies text to the clipboard (async API first; a hidden textarea where it is unavailable). */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Not focused or not permitted: fall back to the selection-based copy below.
    }
  }
  const ta = h('textarea', 'pb-offscreen');
  ta.value = text;
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('The clipboard is not available here: select the text and copy it by hand.');
}

/** A copy button with success/failure feedback. */
export function copyButton(label: string, title: string, text: () => string): HTMLButtonElement {
  const b = button(label, title, () => {
    copyText(text()).then(
      () => flashButton(b, 'Copied'),
      (err: unknown) => {
        flashButton(b, 'Copy failed');
        b.title = err instanceof Error ? err.message : String(err);
      },
    );
  });
  return b;
}

/** Saves a blob or URL as a download with a file name. */
export function download(fileName: string, data: Blob | string): void {
  const url = typeof data === 'string' ? data : URL.createObjectURL(data);
  const a = h('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  if (typeof data !== 'string') setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a label (`@bytes` → `bytes`). */
export function fileNameOf(label: string, fallback = 'output'): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.-]+|[_.-]+$/g, '') || fallback;
}
