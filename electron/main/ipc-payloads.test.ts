import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PATH_LENGTH } from './notebook-paths.ts';
import { MAX_REPORT_HTML, PayloadError, exportPdfArgs, externalUrlArgs, noArgs, notebookPathArgs, saveDialogArgs } from './ipc-payloads.ts';

test('accepts well-formed payloads', () => {
  assert.equal(noArgs([]), undefined);
  assert.deepEqual(saveDialogArgs([]), {});
  assert.deepEqual(saveDialogArgs([undefined]), {});
  assert.deepEqual(saveDialogArgs(['lab 1.ipynb']), { defaultPath: 'lab 1.ipynb' });
  assert.deepEqual(notebookPathArgs(['/home/u/labs/xdp.ipynb']), { path: '/home/u/labs/xdp.ipynb' });
  assert.deepEqual(externalUrlArgs(['https://docs.ebpf.io/']), { url: 'https://docs.ebpf.io/' });
  assert.deepEqual(exportPdfArgs(['<html>', 'lab.html']), { html: '<html>', fileName: 'lab.html', paper: 'a4' });
  assert.deepEqual(exportPdfArgs(['<html>', 'lab.html', 'letter']), { html: '<html>', fileName: 'lab.html', paper: 'letter' });
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
    ['report bytes instead of text', () => exportPdfArgs([new Uint8Array(4), 'lab.html']), /html must be a report's HTML/],
    ['an empty report', () => exportPdfArgs(['', 'lab.html']), /html must be/],
    ['a report over the limit', () => exportPdfArgs(['x'.repeat(MAX_REPORT_HTML + 1), 'lab.html']), /at most 67108864 characters/],
    ['a PDF name with folders', () => exportPdfArgs(['<html>', '../../.bashrc']), /fileName must be a file name/],
    ['an odd paper', () => exportPdfArgs(['<html>', 'lab.html', 'a3']), /paper must be "a4" or "letter", got "a3"/],
    ['a fourth argument', () => exportPdfArgs(['<html>', 'lab.html', 'a4', 1]), /at most 3/],
  ];
  for (const [what, call, message] of cases) {
    assert.throws(call, (error: unknown) => error instanceof PayloadError && message.test(error.message), what);
  }
});
