// The script library (bpf/*.bt) and the notebooks that embed its programs: every file has the header
// (what, measures, probes, requires, usage, used by), every "Used by" names a cell or file that exists,
// and every notebook cell that names a library file in metadata.probebook.file holds that file byte
// for byte (one source of truth; `probebook bpf-sync` refreshes the copies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cellFileProblem } from '../core/common/notebook/cell-file.ts';
import { resolveCell } from '../core/common/notebook/cell-options.ts';
import { parseNotebook } from '../core/common/notebook/ipynb.ts';
import type { JsonObject, Notebook } from '../core/common/notebook/model.ts';
import { embeddedCells, parseBtHeader, usedBy } from '../core/node/bpf/bpf-library.ts';
import { bpfSyncCommand } from '../core/node/commands/bpf-sync.ts';
import { repoRoot } from './support/root.ts';

const bpfDir = join(repoRoot, 'bpf');
const scripts = readdirSync(bpfDir)
  .filter((f) => f.endsWith('.bt'))
  .sort();
const notebookDir = join(repoRoot, 'notebooks');
const notebooks = readdirSync(notebookDir)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const readNotebook = (file: string): Notebook => parseNotebook(readFileSync(join(notebookDir, file), 'utf8'), file);
const cellName = (metadata: JsonObject) => (metadata.probebook as JsonObject | undefined)?.name;

test('every library file has the header: name, what it measures, probes, requirements, usage, users', () => {
  assert.ok(scripts.length >= 8, `bpf/ holds ${scripts.join(', ')}`);
  for (const script of scripts) {
    const text = readFileSync(join(bpfDir, script), 'utf8');
    const header = parseBtHeader(text);
    assert.deepEqual(header.problems, [], script);
    assert.equal(header.name, script, `${script}: line 1 names ${header.name}`);
    assert.match(header.fields.Requires!, /^bpftrace ≥ 0\.17, (tracepoints only|kprobes)\b/, `${script}: Requires`);
    assert.match(header.fields.Usage!, new RegExp(`^bpftrace bpf/${script.replace('.', '\\.')}( |$)`), `${script}: Usage`);
    for (const probe of header.fields.Probes!.split(/,\s*/)) {
      assert.match(
        probe,
        /^(tracepoint|kprobe|kretprobe|kfunc|kretfunc|fentry|fexit|uprobe|uretprobe|usdt|interval|profile|software|hardware):\S+$/,
        `${script}: probe ${probe}`,
      );
      const code = text.replace(/^\/\/.*$/gm, '');
      assert.ok(code.includes(probe), `${script}: its header lists ${probe}, which the program does not use`);
    }
    // A kprobe program says so; a tracepoints-only program uses no kprobe.
    const kprobes = /^\s*k(ret)?probe:/m.test(text.replace(/^\/\/.*$/gm, ''));
    assert.equal(/kprobes/.test(header.fields.Requires!), kprobes, `${script}: Requires says ${header.fields.Requires}`);
  }
});

test('"Used by" names notebook cells that embed or run the file, and files that mention it; every embedding is listed', () => {
  const listed = new Set<string>();
  for (const script of scripts) {
    const entries = usedBy(parseBtHeader(readFileSync(join(bpfDir, script), 'utf8')).fields['Used by']!);
    assert.ok(entries.length > 0, `${script}: Used by names nothing`);
    for (const entry of entries) {
      assert.ok(existsSync(join(repoRoot, entry.path)), `${script}: Used by ${entry.path}, which does not exist`);
      if (entry.cell === undefined) {
        assert.ok(readFileSync(join(repoRoot, entry.path), 'utf8').includes(script), `${script}: ${entry.path} does not mention it`);
        continue;
      }
      assert.match(entry.path, /^notebooks\/[^/]+\.ipynb$/, script);
      const nb = readNotebook(entry.path.slice('notebooks/'.length));
      const cell = nb.cells.find((c) => cellName(c.metadata) === entry.cell);
      assert.ok(cell, `${script}: ${entry.path} has no cell "${entry.cell}"`);
      // Embedded (metadata.probebook.file), or run by its path from a cell that says so (the kprobe
      // variants, run only where kprobes exist: docs/bpf-library.md).
      const file = (cell.metadata.probebook as JsonObject).file;
      assert.ok(
        file === `../bpf/${script}` || (file === undefined && cell.source.includes(`../bpf/${script}`)),
        `${entry.path} cell "${entry.cell}" does not use ../bpf/${script}`,
      );
      listed.add(`${entry.path}#${entry.cell}`);
    }
  }
  for (const file of notebooks) {
    const nb = readNotebook(file);
    for (const e of embeddedCells(nb, join(notebookDir, file))) {
      assert.ok(
        listed.has(`notebooks/${file}#${cellName(e.cell.metadata)}`),
        `notebooks/${file} cell ${e.index + 1} embeds ${e.file}, whose header does not list it under Used by`,
      );
    }
    // A cell that runs a library file by its path is listed too.
    nb.cells.forEach((cell, index) => {
      for (const [, script] of cell.cellType === 'code' ? cell.source.matchAll(/\.\.\/bpf\/([\w.-]+\.bt)\b/g) : []) {
        assert.ok(
          listed.has(`notebooks/${file}#${cellName(cell.metadata)}`),
          `notebooks/${file} cell ${index + 1} runs ../bpf/${script}, whose header does not list it under Used by`,
        );
      }
    });
  }
});

test('every notebook cell with metadata.probebook.file holds that file byte for byte, and is a valid bpftrace cell', async () => {
  let embedded = 0;
  for (const file of notebooks) {
    const nb = readNotebook(file);
    for (const e of embeddedCells(nb, join(notebookDir, file))) {
      embedded++;
      assert.equal(resolveCell(e.cell, nb).language, 'bpftrace', `notebooks/${file} cell ${e.index + 1}`);
      assert.match(relative(repoRoot, e.path), /^bpf\/[^/]+\.bt$/, `notebooks/${file} cell ${e.index + 1} names ${e.file}, outside bpf/`);
      assert.ok(existsSync(e.path), `notebooks/${file} cell ${e.index + 1} names ${e.file}, which does not exist`);
      assert.ok(
        e.cell.source === readFileSync(e.path, 'utf8'),
        `notebooks/${file} cell ${e.index + 1} (${cellName(e.cell.metadata)}) differs from ${e.file}: edit the file, then run probebook bpf-sync notebooks/${file}`,
      );
    }
  }
  assert.ok(embedded >= 3, `${embedded} embedded cells`);
  // The command agrees: nothing to refresh.
  const out: string[] = [];
  const sink = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
  assert.equal(await bpfSyncCommand(['--check', ...notebooks.map((f) => join(notebookDir, f))], sink, sink), 0, out.join(''));
});

test('file metadata: a relative .bt path on a bpftrace cell that holds the program; anything else is an error naming the cell', () => {
  assert.equal(cellFileProblem('../bpf/flows.bt', 'bpftrace', 'BEGIN {}'), undefined);
  assert.equal(cellFileProblem('../bpf/flows.bt', undefined, 'BEGIN {}'), undefined);
  for (const bad of ['/etc/x.bt', '../bpf/flows.sh', '../bpf//x.bt', './x.bt', 'a b.bt', 7, null, '../bpf/x.bt\0']) {
    assert.match(cellFileProblem(bad, 'bpftrace', 'BEGIN {}') ?? '', /must be a relative path to a \.bt file/, JSON.stringify(bad));
  }
  assert.match(cellFileProblem('../bpf/flows.bt', 'shell', 'echo') ?? '', /is for bpftrace cells/);
  assert.match(
    cellFileProblem('../bpf/flows.bt', 'bpftrace', ' \n') ?? '',
    /the cell is empty: Probebook runs only the program a cell holds, never a file by its path/,
  );
  const nb: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {},
    cells: [
      {
        id: 'a',
        cellType: 'code',
        source: '',
        metadata: { probebook: { name: 'flows', language: 'bpftrace', file: '../bpf/flows.bt' } },
        outputs: [],
        executionCount: null,
      },
    ],
  };
  assert.throws(
    () => resolveCell(nb.cells[0]!, nb),
    /^CellOptionsError: cell 1 \(flows\): metadata\.probebook\.file names \.\.\/bpf\/flows\.bt, but the cell is empty/,
  );
});

test('probebook bpf-sync copies each named file into its cell, --check only reports, and a missing file is an error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-bpf-sync-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bpf'));
  mkdirSync(join(dir, 'lab'));
  writeFileSync(join(dir, 'bpf', 'count.bt'), '// count.bt — counts\ntracepoint:sched:sched_switch { @ = count(); }\n');
  const code = (source: string, probebook: Record<string, unknown>) => ({
    cell_type: 'code',
    execution_count: null,
    id: `c${Math.random().toString(16).slice(2, 8)}`,
    metadata: { probebook },
    outputs: [],
    source,
  });
  const nbPath = join(dir, 'lab', 'lab.ipynb');
  const notebook = (cells: unknown[]) => `${JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
  writeFileSync(
    nbPath,
    notebook([code('// an old copy\n', { language: 'bpftrace', name: 'count', file: '../bpf/count.bt' }), code('echo unrelated\n', { language: 'shell' })]),
  );
  const io = () => {
    const out: string[] = [];
    return { out, sink: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream };
  };
  const check = io();
  assert.equal(await bpfSyncCommand(['--check', nbPath], check.sink, check.sink), 1);
  assert.match(check.out.join(''), /lab\.ipynb: cell 1 \(count\) differs from \.\.\/bpf\/count\.bt\n/);
  assert.match(readFileSync(nbPath, 'utf8'), /an old copy/, '--check changed nothing');
  const sync = io();
  assert.equal(await bpfSyncCommand([nbPath], sync.sink, sync.sink), 0, sync.out.join(''));
  assert.match(sync.out.join(''), /cell 1 \(count\) now holds \.\.\/bpf\/count\.bt/);
  const synced = parseNotebook(readFileSync(nbPath, 'utf8'), 'lab.ipynb');
  assert.equal(synced.cells[0]!.source, readFileSync(join(dir, 'bpf', 'count.bt'), 'utf8'));
  assert.equal(synced.cells[1]!.source, 'echo unrelated\n');
  const again = io();
  assert.equal(await bpfSyncCommand(['--check', nbPath], again.sink, again.sink), 0, 'in sync now');
  // A file that is not there: an error naming the notebook, exit 1.
  writeFileSync(nbPath, notebook([code('x\n', { language: 'bpftrace', file: '../bpf/gone.bt' })]));
  const missing = io();
  assert.equal(await bpfSyncCommand([nbPath], missing.sink, missing.sink), 1);
  assert.match(missing.out.join(''), /^probebook bpf-sync: .*lab\.ipynb: ENOENT.*gone\.bt/);
  const usage = io();
  assert.equal(await bpfSyncCommand([], usage.sink, usage.sink), 2);
  assert.match(usage.out.join(''), /no notebook given/);
});
