import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputItem } from '../../core/common/notebook/model.ts';
import { inPlaceRenderer } from './in-place-renderer.ts';
import type { ItemView, RenderContext } from './registry.ts';

const ctx = (theme: 'light' | 'dark'): RenderContext => ({
  signal: new AbortController().signal,
  trusted: true,
  theme,
  output: { outputId: 'o', kind: 'display_data', items: [] },
  assets: { frameBase: 'http://127.0.0.1/outputs/' },
  services: {},
});

test('a renderer drawn in place mounts once, shows later versions of its MIME type in the same drawing, and renders afresh for another', () => {
  const log: string[] = [];
  const renderer = inPlaceRenderer({ id: 'image', mimeTypes: ['image/png', 'image/svg+xml'], rank: 25, safe: true }, (_element, item, c) => {
    log.push(`mount ${item.data} ${c.theme}`);
    return {
      show: (next, nc) => log.push(`show ${next.data} ${nc.theme}`),
      setTheme: (t) => log.push(`theme ${t}`),
      dispose: () => log.push('dispose'),
    };
  });
  assert.deepEqual(
    { id: renderer.id, mimeTypes: renderer.mimeTypes, rank: renderer.rank, safe: renderer.safe },
    {
      id: 'image',
      mimeTypes: ['image/png', 'image/svg+xml'],
      rank: 25,
      safe: true,
    },
  );
  const png = (data: string): OutputItem => ({ mime: 'image/png', data });
  const view = renderer.render(png('a'), {} as HTMLElement, ctx('light')) as ItemView;
  assert.equal(view.update?.(png('b'), ctx('dark')), true);
  view.setTheme?.('light');
  assert.equal(view.update?.({ mime: 'image/svg+xml', data: '<svg/>' }, ctx('light')), false);
  view.dispose?.();
  assert.deepEqual(log, ['mount a light', 'show b dark', 'theme light', 'dispose']);
});

test('a drawing without theme or dispose leaves the view without them', () => {
  const renderer = inPlaceRenderer({ id: 'plain', mimeTypes: ['text/plain'], rank: 90, safe: true }, () => ({ show() {} }));
  const view = renderer.render({ mime: 'text/plain', data: '' }, {} as HTMLElement, ctx('light')) as ItemView;
  assert.equal(view.setTheme, undefined);
  assert.equal(view.dispose, undefined);
});
