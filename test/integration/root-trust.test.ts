/**
 * Trust against the hostile corpus (test/fixtures/hostile): every file is untrusted whatever it
 * claims, its root cells are listed with their exact code for approval, a one-byte edit of a
 * trusted notebook's root cell makes it untrusted again, and deciding all this starts no process
 * (no kernel host, no elevation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cell, Json, JsonObject, Notebook, Output } from '../../core/common/notebook/model.ts';
import { TrustStore } from '../../core/node/session/trust.ts';
import { repoRoot } from '../support/root.ts';

const corpus = join(repoRoot, 'test/fixtures/hostile');
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

/** Just enough of nbformat → model for these files (the codec is core/common/notebook/ipynb.ts). */
function readNotebook(path: string): Notebook {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { nbformat_minor: number; metadata: JsonObject; cells: JsonObject[] };
  const text = (v: Json | undefined) => (Array.isArray(v) ? v.join('') : String(v ?? ''));
  return {
    nbformat: 4,
    nbformatMinor: raw.nbformat_minor,
    metadata: raw.metadata,
    cells: raw.cells.map(
      (c): Cell => ({
        id: String(c.id),
        cellType: c.cell_type as Cell['cellType'],
        source: text(c.source),
        metadata: (c.metadata ?? {}) as JsonObject,
        executionCount: (c.execution_count as number | null) ?? null,
        outputs: ((c.outputs ?? []) as JsonObject[]).map(
          (o, i): Output => ({
            outputId: String(i),
            kind: o.output_type as Output['kind'],
            items: Object.entries((o.data ?? {}) as JsonObject).map(([mime, data]) => ({
              mime,
              data: typeof data === 'string' || Array.isArray(data) ? text(data) : data,
            })),
          }),
        ),
      }),
    ),
  };
}

/** Child processes of this process right now. */
function children(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
}

function store(t: { after(fn: () => void): void }): TrustStore {
  const dir = mkdtempSync(join(tmpdir(), 'probebook-trust-it-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new TrustStore(dir);
}

test('the corpus is there', () => {
  assert.ok(files.length >= 7, files.join(', '));
});

test('every hostile notebook is untrusted, whatever it claims, and checking starts no process', (t) => {
  const trust = store(t);
  const before = children();
  for (const file of files) {
    const nb = readNotebook(join(corpus, file));
    assert.equal(trust.isTrusted(nb), false, file);
    trust.rootCellsNeedingApproval(nb);
  }
  assert.deepEqual(children(), before, 'opening and checking trust spawned nothing');
});

test('a notebook that says it is trusted still shows its exact root code for approval', (t) => {
  const trust = store(t);
  const nb = readNotebook(join(corpus, 'trusted-flag.ipynb'));
  assert.equal(nb.metadata.trusted, true);
  assert.deepEqual(trust.rootCellsNeedingApproval(nb), [
    { cellId: 'trusted-flag-1', index: 1, language: 'shell', source: "echo 'this root cell must be shown before it runs' > /tmp/probebook-hostile-ran" },
    { cellId: 'trusted-flag-3', index: 3, language: 'shell', source: 'true' },
  ]);
});

test('once trusted here, a one-byte edit of a root cell (as saved on disk) makes it untrusted again', (t) => {
  const trust = store(t);
  const path = join(corpus, 'markdown-script.ipynb');
  trust.trust(readNotebook(path));
  assert.equal(trust.isTrusted(readNotebook(path)), true, 're-reading the same file keeps trust');
  const bytes = readFileSync(path, 'utf8');
  const at = bytes.indexOf('this root cell');
  const edited = `${bytes.slice(0, at)}T${bytes.slice(at + 1)}`;
  const dir = mkdtempSync(join(tmpdir(), 'probebook-trust-edit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'edited.ipynb');
  writeFileSync(copy, edited);
  assert.equal(trust.isTrusted(readNotebook(copy)), false);
  assert.equal(trust.rootCellsNeedingApproval(readNotebook(copy))[0]!.source.startsWith("echo 'This root cell"), true);
});
