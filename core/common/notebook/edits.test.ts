import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIME } from '../mime.ts';
import { applyOutputEdit } from './edits.ts';
import type { Output } from './model.ts';
import { displayOutput, streamOutput } from './outputs.ts';

test('output edits add, append to a stream, replace a display and clear', () => {
  const outputs: Output[] = [];
  const out = streamOutput('stdout', 'a');
  const shown = displayOutput([{ mime: MIME.plain, data: 'rate 1' }], { displayId: 'rate' });
  applyOutputEdit(outputs, { kind: 'add', output: out });
  applyOutputEdit(outputs, { kind: 'add', output: shown });
  applyOutputEdit(outputs, { kind: 'append', outputId: out.outputId, text: 'b' });
  applyOutputEdit(outputs, { kind: 'replace', output: { ...shown, items: [{ mime: MIME.plain, data: 'rate 2' }] } });
  assert.deepEqual(
    outputs.map((o) => o.items[0]!.data),
    ['ab', 'rate 2'],
  );
  assert.equal(outputs[0]!.outputId, out.outputId);
  applyOutputEdit(outputs, { kind: 'clear' });
  assert.deepEqual(outputs, []);
});

test('an edit puts a new output in the place of the old one, so whoever holds the old one keeps it as it was', () => {
  const out = streamOutput('stderr', 'one\n');
  const outputs = [out];
  applyOutputEdit(outputs, { kind: 'append', outputId: out.outputId, text: 'two\n' });
  assert.equal(out.items[0]!.data, 'one\n');
  assert.notEqual(outputs[0], out);
  assert.equal(outputs[0]!.items[0]!.data, 'one\ntwo\n');
});

test('an edit naming an output that is not there changes nothing', () => {
  const outputs = [streamOutput('stdout', 'kept')];
  applyOutputEdit(outputs, { kind: 'append', outputId: 'gone', text: 'x' });
  applyOutputEdit(outputs, { kind: 'replace', output: streamOutput('stdout', 'other') });
  assert.deepEqual(
    outputs.map((o) => o.items[0]!.data),
    ['kept'],
  );
});
