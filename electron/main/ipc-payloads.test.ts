import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PATH_LENGTH } from './notebook-paths.ts';
import { PayloadError, externalUrlArgs, noArgs, notebookPathArgs, saveDialogArgs } from './ipc-payloads.ts';

test('accepts well-formed payloads', () => {
  assert.equal(noArgs([]), undefined);
  assert.deepEqual(saveDialogArgs([]), {});
  assert.deepEqual(saveDialogArgs([undefined]), {});
  assert.deepEqual(saveDialogArgs(['lab 1.ipynb']), { defaultPath: 'lab 1.ipynb' });
  assert.deepEqual(notebookPathArgs(['/home/u/labs/xdp.ipynb']), { path: '/home/u/labs/xdp.ipynb' });
  assert.deepEqual(externalUrlArgs(['https://docs.ebpf.io/']), { url: 'https://docs.ebpf.io/' });
});

test('refuses payloads of the wrong type, size or shape, naming the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['extra arguments', () => noArgs([1]), /at most 0/],
    ['a non-string path', () => saveDialogArgs([{ toString: () => '/x' }]), /defaultPath must be a string, got object/],
    ['an over-long path', () => saveDialogArgs(['a'.repeat(MAX_PATH_LENGTH + 1)]), /1–4096 characters/],
    ['a NUL in a path', () => notebookPathArgs(['/tmp/a\0.ipynb']), /NUL/],
    ['a relative path', () => notebookPathArgs(['labs/a.ipynb']), /must be absolute/],
    ['a path that is not a notebook', () => notebookPathArgs(['/etc/passwd']), /not a notebook/],
    ['two paths', () => notebookPathArgs(['/a.ipynb', '/b.ipynb']), /at most 1/],
    ['a file URL to open externally', () => externalUrlArgs(['file:///etc/passwd']), /only http and https.*file:\/\/\/etc\/passwd/],
    ['a number as URL', () => externalUrlArgs([7]), /got number/],
  ];
  for (const [what, call, message] of cases) {
    assert.throws(call, (error: unknown) => error instanceof PayloadError && message.test(error.message), what);
  }
});
