import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCell } from '../../common/notebook/cell-options.ts';
import { parseNotebook, serializeNotebook } from '../../common/notebook/ipynb.ts';
import type { Cell, Notebook } from '../../common/notebook/model.ts';
import { TrustStore, canonicalJson, rootCells } from './trust.ts';

function tempStore(t: { after(fn: () => void): void }): TrustStore {
  const dir = mkdtempSync(join(tmpdir(), 'probebook-trust-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new TrustStore(dir);
}

function code(id: string, source: string, probebook: Cell['metadata'] = {}): Cell {
  return { id, cellType: 'code', source, metadata: { probebook }, outputs: [], executionCount: null };
}

function lab(): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language: 'shell', parameters: { IFACE: 'veth0' } } },
    cells: [
      { id: 'intro', cellType: 'markdown', source: '# NAT lab', metadata: {}, outputs: [], executionCount: null },
      code('setup', 'ip netns add lab'),
      code('trace', 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }', { language: 'bpftrace' }),
      code('whoami', 'id -u', { user: true }),
      code('undo', 'ip netns del lab', { cleanup: true }),
    ],
  };
}

test('a notebook is untrusted until trusted here, then trusted', (t) => {
  const store = tempStore(t);
  const nb = lab();
  assert.equal(store.isTrusted(nb), false);
  store.trust(nb);
  assert.equal(store.isTrusted(nb), true);
  assert.equal(store.isTrusted(structuredClone(nb)), true, 'an equal copy (a re-opened file) is trusted');
});

test('a notebook trusted after a run is still trusted read back from its file (output times are not signed)', (t) => {
  const store = tempStore(t);
  const nb = lab();
  const output = { outputId: 'o1', kind: 'stream' as const, items: [{ mime: 'application/vnd.probebook.stdout', data: 'ok\n' }], time: 1796664003575 };
  nb.cells[1]!.outputs = [output];
  nb.cells.push({ id: 'plain', cellType: 'code', source: 'echo', metadata: {}, outputs: [{ ...output, outputId: 'o2' }], executionCount: 1 });
  store.trust(nb); // as the app and `probebook run` do when the run ends
  const reread = parseNotebook(serializeNotebook(nb), 'lab.ipynb');
  assert.deepEqual((reread.cells[1]!.metadata.probebook as { outputTimes?: number[] }).outputTimes, [1796664003575], 'the file keeps the times');
  assert.deepEqual(reread.cells.at(-1)!.metadata, { probebook: { outputTimes: [1796664003575] } }, 'a cell with no options gets some in the file');
  assert.equal(store.isTrusted(reread), true);
  nb.cells[1]!.outputs[0]!.items[0]!.data = 'changed\n';
  assert.equal(store.isTrusted(nb), false, 'outputs themselves are still signed');
});

test('a one-byte change to a root cell makes the notebook untrusted again', (t) => {
  const store = tempStore(t);
  const nb = lab();
  store.trust(nb);
  nb.cells[1]!.source = 'ip netns add lap';
  assert.equal(store.isTrusted(nb), false);
  assert.deepEqual(
    store.rootCellsNeedingApproval(nb).map((c) => c.cellId),
    ['setup', 'trace', 'undo'],
  );
});

test('changing how a cell runs (user → root, a parameter) breaks trust', (t) => {
  const store = tempStore(t);
  const nb = lab();
  store.trust(nb);
  const asRoot = structuredClone(nb);
  asRoot.cells[3]!.metadata = { probebook: {} };
  assert.equal(store.isTrusted(asRoot), false);
  const param = structuredClone(nb);
  (param.metadata.probebook as { parameters: Record<string, string> }).parameters.IFACE = 'eth0';
  assert.equal(store.isTrusted(param), false);
});

test('an injected output breaks trust (outputs may render unsafely only when produced here)', (t) => {
  const store = tempStore(t);
  const nb = lab();
  store.trust(nb);
  nb.cells[1]!.outputs.push({ outputId: 'o1', kind: 'display_data', items: [{ mime: 'text/html', data: '<script>alert(1)</script>' }] });
  assert.equal(store.isTrusted(nb), false);
});

test('a trusted flag or a signature inside the file is ignored', (t) => {
  const store = tempStore(t);
  const nb = lab();
  nb.metadata.trusted = true;
  nb.metadata.signature = `sha256:${'0'.repeat(64)}`;
  (nb.metadata.probebook as Record<string, unknown>).trusted = true;
  for (const cell of nb.cells) cell.metadata.trusted = true;
  assert.equal(store.isTrusted(nb), false);
  assert.equal(store.rootCellsNeedingApproval(nb).length, 3);
});

test('root cells for approval: exact code and language, user cells and markdown left out', (t) => {
  const store = tempStore(t);
  const cells = store.rootCellsNeedingApproval(lab());
  assert.deepEqual(cells, [
    { cellId: 'setup', index: 1, language: 'shell', source: 'ip netns add lab' },
    { cellId: 'trace', index: 2, language: 'bpftrace', source: 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' },
    { cellId: 'undo', index: 4, language: 'shell', source: 'ip netns del lab' },
  ]);
  store.trust(lab());
  assert.deepEqual(store.rootCellsNeedingApproval(lab()), []);
});

test('the secret and the signature database are private; another secret signs differently', (t) => {
  const store = tempStore(t);
  const nb = lab();
  store.trust(nb);
  assert.equal(statSync(join(store.dir, 'trust-secret')).mode & 0o777, 0o600);
  assert.equal(statSync(join(store.dir, 'trust-signatures.json')).mode & 0o777, 0o600);
  assert.equal(new TrustStore(store.dir).isTrusted(nb), true, 'the secret persists');
  assert.notEqual(tempStore(t).signature(nb), store.signature(nb));
});

test('canonical JSON sorts keys at every depth and is otherwise JSON', () => {
  const value = { b: [1, { z: 'x"y', a: null }], a: { d: true, c: -0.5 }, e: [] };
  assert.equal(canonicalJson(value), '{"a":{"c":-0.5,"d":true},"b":[1,{"a":null,"z":"x\\"y"}],"e":[]}');
  assert.equal(canonicalJson({ a: { c: -0.5, d: true }, e: [], b: [1, { a: null, z: 'x"y' }] }), canonicalJson(value), 'key order does not matter');
  assert.deepEqual(JSON.parse(canonicalJson(value)), value);
  assert.equal(canonicalJson('é\n'), JSON.stringify('é\n'));
});

test('the signature database is read again only when its file changed, by this store or another', (t) => {
  const a = tempStore(t);
  const b = new TrustStore(a.dir);
  const first = lab();
  const second = { ...lab(), cells: lab().cells.slice(0, 2) };
  a.trust(first);
  assert.equal(b.isTrusted(first), true);
  assert.equal(b.isTrusted(second), false);
  a.trust(second); // another process's write: a new file
  assert.equal(b.isTrusted(second), true);

  // Unchanged (same inode, size and time), it is not read again: a same-size scribble with the
  // old time restored goes unnoticed; touched, it is read and refused.
  const db = join(a.dir, 'trust-signatures.json');
  const { mtime, size } = statSync(db);
  writeFileSync(db, 'x'.repeat(size));
  utimesSync(db, mtime, mtime);
  assert.equal(b.isTrusted(first), true);
  // A second later: "now" can fall in the millisecond of the write above, which would be no change.
  utimesSync(db, mtime, new Date(mtime.getTime() + 1000));
  assert.throws(() => b.isTrusted(first), /not valid JSON/);
});

/** A bash/TypeScript polyglot: `true` is both a bash command and a TypeScript expression. */
function polyglot(): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { kernelspec: { name: 'bash', display_name: 'Bash' } },
    cells: [
      code('p', 'true // 2>/dev/null; ip -br link', {}),
      code('m', '%%ts\nconsole.log(1)', {}),
      code('b', 'BEGIN { exit(); }', { language: 'bpftrace' }),
      code('u', 'touch prepared', { user: true }),
    ],
  };
}

test('a kernelspec or language_info change breaks the signature: it decides what language runs', (t) => {
  const store = tempStore(t);
  store.trust(polyglot());
  assert.equal(store.isTrusted(polyglot()), true);
  const kernel = polyglot();
  kernel.metadata.kernelspec = { name: 'tslab', display_name: 'Bash' };
  assert.equal(resolveCell(kernel.cells[0]!, kernel).language, 'typescript', 'the same cell now runs as TypeScript');
  assert.equal(store.isTrusted(kernel), false);
  const language = polyglot();
  language.metadata.kernelspec = { name: 'probebook', display_name: 'Bash', language: 'typescript' };
  assert.equal(store.isTrusted(language), false);
  const info = polyglot();
  info.metadata.kernelspec = { display_name: 'Bash' };
  info.metadata.language_info = { name: 'typescript' };
  assert.equal(store.isTrusted(info), false);
  // What does not decide a language is not signed: a front end's display name.
  const display = polyglot();
  (display.metadata.kernelspec as { display_name: string }).display_name = 'Bash 5';
  assert.equal(store.isTrusted(display), true);
});

test('root cells for approval carry the language each runs as, from the same resolveCell as the runner', () => {
  for (const nb of [
    polyglot(),
    { ...polyglot(), metadata: { kernelspec: { name: 'tslab' } } },
    { ...polyglot(), metadata: { probebook: { language: 'bpftrace' } } },
  ] as Notebook[]) {
    const cells = rootCells(nb);
    assert.deepEqual(
      cells.map((c) => c.cellId),
      ['p', 'm', 'b'],
      'the user cell is not a root cell',
    );
    for (const c of cells) assert.equal(c.language, resolveCell(nb.cells[c.index]!, nb).language, `${c.cellId} in ${JSON.stringify(nb.metadata)}`);
  }
  assert.deepEqual(
    rootCells({ ...polyglot(), metadata: { kernelspec: { name: 'tslab' } } }).map((c) => c.language),
    ['typescript', 'typescript', 'bpftrace'],
  );
});
