import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RendererRegistry, type OutputRenderer } from './registry.ts';
import type { Output } from '../../core/common/notebook/model.ts';

const r = (id: string, mimeTypes: string[], rank: number, safe: boolean): OutputRenderer => ({ id, mimeTypes, rank, safe, render() {} });
const out = (...mimes: string[]): Output => ({ outputId: 'o', kind: 'display_data', items: mimes.map((mime) => ({ mime, data: '' })) });

function registry(): RendererRegistry {
  const reg = new RendererRegistry();
  reg.register(r('html', ['text/html'], 30, false));
  reg.register(r('html-frame', ['text/html'], 32, true));
  reg.register(r('plain', ['text/plain'], 90, true));
  reg.register(r('plotly', ['application/vnd.plotly.v1+json'], 12, true));
  return reg;
}

test('the lowest rank wins across the items of a bundle', () => {
  const sel = registry().select(out('text/plain', 'application/vnd.plotly.v1+json'), true);
  assert.equal(sel.renderer?.id, 'plotly');
  assert.equal(sel.renderer && sel.item.mime, 'application/vnd.plotly.v1+json');
});

test('untrusted outputs use only safe renderers', () => {
  assert.equal(registry().select(out('text/html'), true).renderer?.id, 'html');
  assert.equal(registry().select(out('text/html'), false).renderer?.id, 'html-frame');
});

test('no renderer: the reason says whether trusting would help', () => {
  const reg = new RendererRegistry();
  reg.register(r('html', ['text/html'], 30, false));
  const blocked = reg.select(out('text/html'), false);
  assert.equal(blocked.renderer, null);
  assert.match(!blocked.renderer ? blocked.reason : '', /only in trusted notebooks/);
  const unknown = reg.select(out('application/x-nope'), true);
  assert.match(!unknown.renderer ? unknown.reason : '', /cannot show this output \(application\/x-nope\)/);
});

test('register replaces by id and returns an unregister function', () => {
  const reg = registry();
  const off = reg.register(r('plain', ['text/plain'], 1, true));
  assert.equal(reg.select(out('text/plain', 'application/vnd.plotly.v1+json'), true).renderer?.id, 'plain');
  off();
  assert.equal(reg.rendererFor('text/plain', true), undefined);
});
