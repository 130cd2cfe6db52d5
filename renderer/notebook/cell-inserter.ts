/**
 * The buttons that add cells with the mouse: the "+ Code / + Markdown" bar at the notebook's end,
 * and the same bar between cells (one element, moved to the cell under the pointer).
 */
import { h } from '../outputs/dom.ts';
import { icon } from './icons.ts';

type AddKind = 'code' | 'markdown';

/** The bar at the end: adds a cell after the last one. */
export function makeAddBar(add: (kind: AddKind) => void): HTMLElement {
  const button = (kind: AddKind) => {
    const b = h('button', 'pb-add', icon('plus'), kind === 'code' ? 'Code' : 'Markdown');
    b.type = 'button';
    b.title = kind === 'code' ? 'Add a code cell at the end (B adds below the selection)' : 'Add a markdown cell at the end';
    b.addEventListener('click', () => add(kind));
    return b;
  };
  return h('div', 'pb-add-bar', button('code'), button('markdown'));
}

/** The bar between cells of `list`: adds a cell below the one the pointer is over. */
export function attachInserter(list: HTMLElement, addBelow: (cellId: string, kind: AddKind) => void): void {
  const make = (kind: AddKind) => {
    const b = h('button', 'pb-add', icon('plus'), kind === 'code' ? 'Code' : 'Markdown');
    b.type = 'button';
    b.tabIndex = -1;
    b.title = `Add a ${kind} cell here`;
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      const cellId = (bar.parentElement as HTMLElement | null)?.dataset['cellId'];
      if (cellId) addBelow(cellId, kind);
    });
    return b;
  };
  const bar = h('div', 'pb-inserter', make('code'), make('markdown'));
  list.addEventListener('pointerover', (e) => {
    const cellEl = (e.target as HTMLElement).closest<HTMLElement>('.pb-cell');
    if (cellEl && bar.parentElement !== cellEl) cellEl.append(bar);
  });
}
