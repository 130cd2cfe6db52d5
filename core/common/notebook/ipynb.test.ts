import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIME } from '../mime.ts';
import { capStream, METADATA_NESTING, NotebookParseError, notebookAsSaved, parseNotebook, serializeNotebook, splitLines } from './ipynb.ts';
import { JsonDepthError, MAX_JSON_DEPTH } from './json-text.ts';
import type { Json, Notebook } from './model.ts';
import { streamOutput } from './outputs.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/notebooks');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

test('a notebook written by Jupyter (nbformat 4.5) round-trips byte for byte', () => {
  const text = read('jupyter-4.5.ipynb');
  assert.equal(serializeNotebook(parseNotebook(text, 'jupyter-4.5.ipynb')), text);
});

test('older minor versions are read and written as 4.5 with cell ids, everything else kept', () => {
  for (const name of ['jupyter-4.0.ipynb', 'jupyter-4.4.ipynb']) {
    const original = JSON.parse(read(name));
    const nb = parseNotebook(read(name), name);
    assert.ok(
      nb.cells.every((c) => /^[0-9a-f]{8}$/.test(c.id)),
      'every cell got an id when read',
    );
    const written = JSON.parse(serializeNotebook(nb));
    assert.equal(written.nbformat_minor, 5);
    written.cells.forEach((cell: Record<string, unknown>, i: number) => {
      assert.equal(cell.id, nb.cells[i]!.id);
      const { id: _id, ...rest } = cell;
      assert.deepEqual(rest, original.cells[i]);
    });
    assert.deepEqual(written.metadata, original.metadata);
  }
});

test('number literals Jupyter wrote (1.0, 1e-05, integers beyond 2^53) survive exactly', () => {
  const text = read('jupyter-4.5.ipynb');
  const out = serializeNotebook(parseNotebook(text, 'x.ipynb'));
  assert.match(out, /"small": 1e-05/);
  assert.match(out, /"whole": 1\.0/);
  assert.match(out, /"big": 12345678901234567890/);
  assert.match(out, /"RATE": 1\.0/);
});

test('1e999 and integers beyond 2^53 are written back as read wherever they stand, and the file stays JSON', () => {
  const huge = '1e999';
  const big = '9007199254740993';
  const text = `{"cells": [{"cell_type": "code", "execution_count": ${big}, "id": "a", "metadata": {"probebook": {"outputTimes": [${huge}]}, "x": ${huge}},
    "outputs": [{"data": {"application/json": {"v": ${huge}}, "text/plain": "1"}, "execution_count": ${huge}, "metadata": {}, "output_type": "execute_result"}], "source": ""}],
    "metadata": {"big": ${big}}, "nbformat": 4, "nbformat_minor": ${big}}`;
  const out = serializeNotebook(parseNotebook(text, 'numbers.ipynb'));
  assert.doesNotThrow(() => JSON.parse(out), 'what is written is JSON');
  assert.doesNotMatch(out, /Infinity|NaN/);
  assert.match(out, /"execution_count": 9007199254740993,\n {3}"id"/, "the cell's count");
  assert.match(out, /"outputTimes": \[\n {6}1e999\n {5}\]/, 'the output time');
  assert.match(out, /"execution_count": 1e999,\n {5}"metadata"/, "the result's count");
  assert.match(out, /"v": 1e999/);
  assert.match(out, /"x": 1e999/);
  assert.match(out, /"big": 9007199254740993/);
  assert.match(out, /"nbformat_minor": 9007199254740993/);
});

test('a number changed after reading is written as the new number, not the old literal', () => {
  const nb = parseNotebook(
    '{"cells": [{"cell_type": "code", "execution_count": 1e999, "id": "a", "metadata": {}, "outputs": [], "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    'n.ipynb',
  );
  nb.cells[0]!.executionCount = 3;
  assert.match(serializeNotebook(nb), /"execution_count": 3,/);
  const computed: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {},
    cells: [{ id: 'c', cellType: 'code', source: '', metadata: {}, outputs: [], executionCount: Infinity }],
  };
  assert.match(serializeNotebook(computed), /"execution_count": null,/, 'a computed Infinity is never written as Infinity');
});

/** A value nested `levels` deep: objects, lists, or lists of strings (the writer's native path). */
function nested(levels: number, kind: 'object' | 'list' | 'strings'): Json {
  let v: Json = kind === 'strings' ? ['x\n'] : 1;
  for (let i = kind === 'strings' ? 1 : 0; i < levels; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

test('metadata nested deeper than the reader accepts is refused by the writer with an error, at any depth', () => {
  for (const kind of ['object', 'list', 'strings'] as const) {
    for (const levels of [1_500, 100_000]) {
      const nb: Notebook = { nbformat: 4, nbformatMinor: 5, metadata: { deep: nested(levels, kind) }, cells: [] };
      assert.throws(
        () => serializeNotebook(nb),
        (e: unknown) => e instanceof JsonDepthError && new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`).test((e as Error).message),
        `${kind} ${levels}`,
      );
    }
  }
});

test('metadata exactly as deep as the reader accepts is written and read back', () => {
  // The notebook's metadata object is one level below the top: it may nest MAX_JSON_DEPTH - 1.
  const deep = nested(MAX_JSON_DEPTH - METADATA_NESTING.notebook, 'object') as { a: Json };
  const nb: Notebook = { nbformat: 4, nbformatMinor: 5, metadata: { ...deep }, cells: [] };
  const back = parseNotebook(serializeNotebook(nb), 'deep.ipynb');
  assert.deepEqual(back.metadata, nb.metadata);
  // A cell's metadata object is three levels below the top; `d` is one more.
  const cellDeep = nested(MAX_JSON_DEPTH - METADATA_NESTING.cell - 1, 'list');
  const withCell: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {},
    cells: [{ id: 'c', cellType: 'code', source: '', metadata: { d: cellDeep }, outputs: [], executionCount: null }],
  };
  assert.deepEqual(parseNotebook(serializeNotebook(withCell), 'deep.ipynb').cells[0]!.metadata, { d: cellDeep });
  withCell.cells[0]!.metadata = { d: [cellDeep] };
  assert.throws(() => serializeNotebook(withCell), JsonDepthError, 'one level more is refused');
});

test('a VS Code notebook keeps its vscode metadata and gains only ids and the 4.5 marker', () => {
  const text = read('vscode.ipynb');
  const nb = parseNotebook(text, 'vscode.ipynb');
  assert.equal(nb.cells[1]!.outputs[0]!.items[0]!.data, 'hello\n');
  const written = JSON.parse(serializeNotebook(nb));
  const original = JSON.parse(text);
  assert.deepEqual(
    written.cells.map((c: { metadata: unknown }) => c.metadata),
    original.cells.map((c: { metadata: unknown }) => c.metadata),
  );
  assert.deepEqual(written.metadata.vscode, original.metadata.vscode);
  assert.equal(written.metadata.orig_nbformat, undefined, 'dropped, as nbformat does');
});

test('outputs become MIME items: streams, display bundles in order, errors', () => {
  const nb = parseNotebook(read('jupyter-4.5.ipynb'), 'x.ipynb');
  const [stdout, stderr, display, result, error] = nb.cells[1]!.outputs;
  assert.deepEqual(stdout!.items, [{ mime: MIME.stdout, data: 'line 1\nline 2\nline 3\n' }]);
  assert.deepEqual(stderr!.items, [{ mime: MIME.stderr, data: 'oops\n' }]);
  assert.deepEqual(display!.items.map((i) => i.mime).sort(), ['image/png', 'text/html', 'text/plain']);
  assert.equal(display!.items.find((i) => i.mime === 'text/html')!.data, '<b>bold</b>\n<i>x</i>');
  assert.equal(result!.kind, 'execute_result');
  assert.equal(result!.executionCount, 3);
  assert.deepEqual((error!.items[0]!.data as { ename: string }).ename, 'ValueError');
});

test('output arrival times are saved in the cell metadata and read back', () => {
  const nb = parseNotebook(read('jupyter-4.5.ipynb'), 'x.ipynb');
  const cell = nb.cells[4]!;
  cell.outputs = [streamOutput('stdout', 'a\n', 1700000000000), streamOutput('stderr', 'b\n', 1700000000500)];
  const text = serializeNotebook(nb);
  const again = parseNotebook(text, 'x.ipynb');
  assert.deepEqual(
    again.cells[4]!.outputs.map((o) => o.time),
    [1700000000000, 1700000000500],
  );
  assert.deepEqual((again.cells[4]!.metadata.probebook as { outputTimes: number[] }).outputTimes, [1700000000000, 1700000000500]);
  again.cells[4]!.outputs = [];
  assert.equal(JSON.parse(serializeNotebook(again)).cells[4].metadata.probebook, undefined, 'no stale times once outputs are gone');
});

test('a trusted flag inside the file is never written back', () => {
  const nb = parseNotebook(read('jupyter-4.5.ipynb'), 'x.ipynb');
  nb.cells[1]!.metadata.trusted = true;
  assert.doesNotMatch(serializeNotebook(nb), /"trusted"/);
});

test('a file that is not JSON gets an error naming the file, line and column', () => {
  assert.throws(
    () => parseNotebook(read('malformed-json.ipynb'), 'lab/malformed-json.ipynb'),
    (e: unknown) => e instanceof NotebookParseError && e.line === 3 && e.column === 45 && /^lab\/malformed-json\.ipynb:3:45: is not valid JSON/.test(e.message),
  );
});

test('JSON that is not a notebook gets an error naming the schema path', () => {
  assert.throws(
    () => parseNotebook(read('not-a-notebook.ipynb'), 'n.ipynb'),
    (e: unknown) =>
      e instanceof NotebookParseError && e.schemaPath === 'cells[0].cell_type' && /must be "code", "markdown" or "raw" \(got "python"\)/.test(e.message),
  );
  assert.throws(() => parseNotebook('{"nbformat": 2, "worksheets": []}', 'old.ipynb'), /nbformat 2 is not supported/);
  assert.throws(() => parseNotebook('[1, 2]', 'list.ipynb'), /the top level: must be an object/);
  assert.throws(
    () =>
      parseNotebook(
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdin", "text": ""}]}]}',
        's.ipynb',
      ),
    /cells\[0\]\.outputs\[0\]\.name/,
  );
});

test('nesting deeper than the limit is refused before parsing', () => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  assert.throws(() => parseNotebook(deep, 'deep.ipynb'), /nesting deeper than 256 levels/);
});

test('random damage to a notebook gives a NotebookParseError or a notebook, never another exception', () => {
  const text = read('jupyter-4.5.ipynb');
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const chars = [...text];
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * chars.length);
      const choice = random();
      if (choice < 0.3) chars.splice(at, 1);
      else if (choice < 0.6) chars.splice(at, 0, '{}[]",:0a\\'[Math.floor(random() * 10)]!);
      else chars.length = at;
    }
    try {
      const nb = parseNotebook(chars.join(''), 'fuzz.ipynb');
      serializeNotebook(nb);
    } catch (error) {
      assert.ok(error instanceof NotebookParseError, `iteration ${i}: ${(error as Error).stack}`);
    }
  }
});

test('long streams are cut at a line end with an explicit note of what was left out', () => {
  const text = `${Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n')}\n`;
  const capped = capStream(text, 100);
  const lines = capped.split('\n');
  assert.ok(Buffer.byteLength(lines.slice(0, -2).join('\n')) <= 100);
  assert.match(capped, /\[probebook: output truncated: .* \(98\d lines\) not saved; the limit is 100 B per stream, see metadata\.probebook\.outputLimit\]\n$/);
  assert.equal(capStream('short\n', 100), 'short\n');
  assert.match(capStream('kept\n', 100, { bytes: 5000, lines: 10 }), /^kept\n\[probebook: output truncated: 4\.9 KiB \(10 lines\)/);
});

test('the per-cell outputLimit overrides the save limit', () => {
  const nb = parseNotebook(read('jupyter-4.5.ipynb'), 'x.ipynb');
  nb.cells[4]!.outputs = [streamOutput('stdout', `${'x'.repeat(50)}\n${'y'.repeat(50)}\n`)];
  nb.cells[4]!.metadata = { probebook: { outputLimit: 60 } };
  const saved = JSON.parse(serializeNotebook(nb, { outputLimitBytes: 1_000_000 }));
  assert.equal(saved.cells[4].outputs[0].text[0], `${'x'.repeat(50)}\n`);
  assert.match(saved.cells[4].outputs[0].text[1], /truncated/);
});

test('lines split as Python splitlines(keepends) does', () => {
  assert.deepEqual(splitLines('a\nb\r\nc\rd\x0be\u2028f'), ['a\n', 'b\r\n', 'c\r', 'd\x0b', 'e\u2028', 'f']);
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('x\n'), ['x\n']);
});

test('notebookAsSaved gives the streams as the saved file reads back: capped to the limit, the note included', () => {
  const nb = parseNotebook(
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { id: 'a', cell_type: 'code', metadata: {}, execution_count: 1, outputs: [], source: 'seq 5000' },
        { id: 'b', cell_type: 'code', metadata: { probebook: { outputLimit: 64 } }, execution_count: 2, outputs: [], source: 'seq 100' },
      ],
    }),
    'cap.ipynb',
  );
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');
  nb.cells[0]!.outputs = [{ outputId: 'x', kind: 'stream', items: [{ mime: 'application/vnd.probebook.stdout', data: lines(5000) }] }];
  nb.cells[1]!.outputs = [{ outputId: 'y', kind: 'stream', items: [{ mime: 'application/vnd.probebook.stderr', data: lines(100) }] }];
  const saved = notebookAsSaved(nb, { outputLimitBytes: 1024 });
  const reread = parseNotebook(serializeNotebook(nb, { outputLimitBytes: 1024 }), 'cap.ipynb');
  for (const i of [0, 1]) {
    assert.deepEqual(
      saved.cells[i]!.outputs.map((o) => o.items),
      reread.cells[i]!.outputs.map((o) => o.items),
    );
  }
  assert.match(String(saved.cells[1]!.outputs[0]!.items[0]!.data), /output truncated/);
  assert.equal(String(nb.cells[0]!.outputs[0]!.items[0]!.data), lines(5000), 'the notebook itself is left alone');
  // A stream cut once is cut anew when its text, its limit or what was dropped before changes.
  const output = nb.cells[1]!.outputs[0]!;
  const cut = () => String(notebookAsSaved(nb, { outputLimitBytes: 1024 }).cells[1]!.outputs[0]!.items[0]!.data);
  output.items[0]!.data = lines(3);
  assert.equal(cut(), lines(3));
  output.truncated = { bytes: 10, lines: 2 };
  assert.match(cut(), /10 B \(2 lines\) not saved/);
  output.truncated = { bytes: 20, lines: 4 };
  assert.match(cut(), /20 B \(4 lines\) not saved/);
  nb.cells[1]!.metadata = {};
  assert.equal(
    cut(),
    `${lines(3)}[probebook: output truncated: 20 B (4 lines) not saved; the limit is 1.0 KiB per stream, see metadata.probebook.outputLimit]\n`,
  );
});

test('splitLines finds the same lines by its fast path (only \\n) as by the full one', () => {
  const text = `${Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('')}no end`;
  const lines = splitLines(text);
  assert.equal(lines.length, 1001);
  assert.equal(lines.join(''), text);
  assert.deepEqual(splitLines('a\r\nb\rc\u2028d\n'), ['a\r\n', 'b\r', 'c\u2028', 'd\n'], 'other line ends take the full path');
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('\n\n'), ['\n', '\n']);
});
