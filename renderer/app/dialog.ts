/**
 * Modal dialogs on the native <dialog> (focus stays inside, Esc cancels), and small toasts.
 */
import { h } from '../outputs/dom.ts';
import { iconButton } from '../notebook/icons.ts';

export interface DialogHandle {
  element: HTMLDialogElement;
  body: HTMLElement;
  footer: HTMLElement;
  close(): void;
  /** Resolves when the dialog closes (by a button, Esc or close()). */
  closed: Promise<void>;
}

/** Whether a modal dialog is open (the notebook's keys then do nothing). */
export function dialogOpen(): boolean {
  // The `open` attribute goes at once on Esc; the `close` event comes a task later.
  return document.querySelector('dialog.pb-dialog[open]') !== null;
}

export function openDialog(title: string, options: { className?: string; wide?: boolean } = {}): DialogHandle {
  const body = h('div', 'pb-dialog-body');
  const footer = h('div', 'pb-dialog-footer');
  const element = h('dialog', `pb-dialog ${options.wide ? 'pb-dialog-wide' : ''} ${options.className ?? ''}`.trim());
  const heading = h('h2', 'pb-dialog-title', title);
  heading.id = `pb-dialog-${Math.random().toString(36).slice(2)}`;
  element.setAttribute('aria-labelledby', heading.id);
  const close = () => {
    if (element.open) element.close();
  };
  element.append(h('div', 'pb-dialog-head', heading, iconButton('close', 'Close (Esc)', close)), body, footer);
  // Focus goes back to the notebook, not into a cell's editor the notebook may have left meanwhile.
  if ((document.activeElement as HTMLElement | null)?.closest('.monaco-editor')) (document.activeElement as HTMLElement).blur();
  document.body.append(element);
  const closed = new Promise<void>((resolve) => {
    element.addEventListener('close', () => {
      element.remove();
      if (document.activeElement === document.body || !document.activeElement)
        document.querySelector<HTMLElement>('.pb-notebook')?.focus({ preventScroll: true });
      resolve();
    });
  });
  // Keys typed in a dialog are the dialog's, not the notebook's.
  element.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') e.stopPropagation();
  });
  element.showModal();
  return { element, body, footer, close, closed };
}

/** A dialog button; `primary` styles the default action. */
export function dialogButton(label: string, onClick: () => void, kind: 'primary' | 'secondary' | 'danger' = 'secondary'): HTMLButtonElement {
  const b = h('button', `pb-btn-${kind}`, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** Asks a question with named answers; resolves with the chosen one, or null when dismissed. */
export async function ask<T extends string>(
  title: string,
  message: string | Node,
  answers: { value: T; label: string; kind?: 'primary' | 'secondary' | 'danger' }[],
): Promise<T | null> {
  const d = openDialog(title);
  d.body.append(typeof message === 'string' ? h('p', '', message) : message);
  let answer: T | null = null;
  for (const a of answers) {
    d.footer.append(
      dialogButton(
        a.label,
        () => {
          answer = a.value;
          d.close();
        },
        a.kind,
      ),
    );
  }
  (d.footer.querySelector('.pb-btn-primary') as HTMLButtonElement | null)?.focus();
  await d.closed;
  return answer;
}

let toastBox: HTMLElement | null = null;

/** A short message at the bottom; errors stay until closed, others fade after a few seconds. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  if (!toastBox) {
    toastBox = h('div', 'pb-toasts');
    toastBox.setAttribute('role', 'status');
    toastBox.setAttribute('aria-live', 'polite');
    document.body.append(toastBox);
  }
  const text = h('div', 'pb-toast-text', message);
  const item = h('div', `pb-toast pb-toast-${kind}`, text);
  const remove = () => item.remove();
  item.append(iconButton('close', 'Dismiss', remove));
  toastBox.append(item);
  while (toastBox.children.length > 4) toastBox.firstElementChild?.remove();
  if (kind !== 'error') setTimeout(remove, 4000);
}
