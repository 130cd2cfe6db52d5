// `probebook run` end to end: the real CLI bundle, real bash and bpftrace, files checked with
// Jupyter's own validator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { needs } from '../support/needs.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/probebook.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function probebook(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type CellSpec = string | { source: string; probebook?: Record<string, unknown>; type?: 'markdown' };

function writeNotebook(dir: string, name: string, cells: CellSpec[], metadata: Record<string, unknown> = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify(
      {
        nbformat: 4,
        nbformat_minor: 5,
        metadata,
        cells: cells.map((c, i) => {
          const spec = typeof c === 'string' ? { source: c } : c;
          if (spec.type === 'markdown') return { id: `m${i}`, cell_type: 'markdown', metadata: {}, source: spec.source };
          return {
            id: `c${i}`,
            cell_type: 'code',
            metadata: spec.probebook ? { probebook: spec.probebook } : {},
            execution_count: null,
            outputs: [],
            source: spec.source,
          };
        }),
      },
      null,
      1,
    ),
  );
  return path;
}

function validate(path: string): void {
  execFileSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path], { stdio: 'pipe' });
}

const texts = (nb: { cells: { outputs?: { text?: string[] }[] }[] }, i: number) => (nb.cells[i]!.outputs ?? []).map((o) => (o.text ?? []).join('')).join('');

test('runs every cell, writes a valid notebook with outputs and progress on stderr, exit 0', async (t) => {
  if (!needs(t, { tools: ['bash'], check: () => (existsPython() ? null : 'python3-nbformat') })) return;
  const dir = workdir(t);
  writeNotebook(dir, 'lab.ipynb', [
    { type: 'markdown', source: '# Lab' },
    { source: 'echo hello; cd /usr; export X=1', probebook: { name: 'setup' } },
    'pwd; echo "X=$X"',
  ]);
  const run = await probebook(['run', 'lab.ipynb', '--out', 'out.ipynb'], dir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /\[1\/2\] setup ok/);
  assert.match(run.stderr, /\[2\/2\] pwd; echo "X=\$X" ok/);
  assert.match(run.stderr, /2\/2 cells ran in .*: all cells succeeded/);
  const out = join(dir, 'out.ipynb');
  validate(out);
  const nb = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(texts(nb, 1), 'hello\n');
  assert.equal(texts(nb, 2), '/usr\nX=1\n');
  assert.deepEqual(
    nb.cells.slice(1).map((c: { execution_count: number }) => c.execution_count),
    [1, 2],
  );
  assert.equal(typeof nb.cells[1].metadata.probebook.outputTimes[0], 'number');
});

test('a failing cell stops the run with exit 1; the file keeps everything up to it; --allow-errors goes on', async (t) => {
  if (!needs(t, { check: () => (existsPython() ? null : 'python3-nbformat') })) return;
  const dir = workdir(t);
  const path = writeNotebook(dir, 'lab.ipynb', ['echo before', 'echo broken >&2; exit 7', 'echo after']);
  const stopped = await probebook(['run', 'lab.ipynb', '--inplace'], dir);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /\[2\/3\] echo broken >&2; exit 7 failed: Cell exited with code 7/);
  assert.match(stopped.stderr, /\[3\/3\] echo after skipped/);
  validate(path);
  let nb = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(texts(nb, 0), 'before\n');
  assert.equal(nb.cells[1].outputs.at(-1).output_type, 'error');
  assert.equal(texts(nb, 2), '');
  const onward = await probebook(['run', 'lab.ipynb', '--inplace', '--allow-errors'], dir);
  assert.equal(onward.code, 1);
  nb = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(texts(nb, 2), 'after\n');
});

test('bad usage and unreadable notebooks exit 2 with a clear message, and the file is untouched', async (t) => {
  const dir = workdir(t);
  const broken = join(dir, 'broken.ipynb');
  writeFileSync(broken, '{"cells": [,]}');
  const before = readFileSync(broken);
  const cases: [string[], RegExp][] = [
    [['run'], /no notebook given/],
    [['run', 'a.ipynb', '--out', 'x', '--inplace'], /--out and --inplace exclude each other/],
    [['run', 'a.ipynb', '--param', 'oops'], /--param takes NAME=VALUE, got "oops"/],
    [['run', 'a.ipynb', '--param', 'PATH=.'], /--param PATH: parameter PATH is refused: it chooses which programs run; rename it/],
    [['run', 'a.ipynb', '--param', 'LD_PRELOAD=/tmp/x.so'], /--param LD_PRELOAD: parameter LD_PRELOAD is refused/],
    [['run', 'a.ipynb', '--bogus'], /Unknown option '--bogus'/],
    [['run', 'missing.ipynb'], /missing\.ipynb does not exist/],
    [['run', 'broken.ipynb', '--inplace'], /broken\.ipynb:1:12: is not valid JSON/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ];
  for (const [args, message] of cases) {
    const run = await probebook(args, dir);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  assert.deepEqual(readFileSync(broken), before);
});

test('a notebook whose parameter would change what root runs (PATH=.) runs nothing and names it', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const dir = workdir(t);
  // The attack: a harmless-looking cell, and the folder's own `ip` first on PATH.
  writeFileSync(join(dir, 'ip'), '#!/bin/sh\ntouch "$(dirname "$0")/owned"\n', { mode: 0o755 });
  writeNotebook(dir, 'p.ipynb', ['ip -br link'], { probebook: { parameters: { PATH: '.' } } });
  const run = await probebook(['run', 'p.ipynb', '--out', 'o.ipynb'], dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /parameter PATH is refused: it chooses which programs run/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f === 'owned'),
    [],
    "the folder's ./ip did not run",
  );
});

test('--param overrides notebook parameters: environment for shell, $1… for bpftrace', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  const dir = workdir(t);
  writeNotebook(
    dir,
    'p.ipynb',
    ['echo "N=$N IFACE=$IFACE"', { source: '%%bpftrace\nBEGIN { printf("%d %s\\n", $1, str($2)); exit(); }', probebook: { args: ['N', 'IFACE'] } }],
    { probebook: { parameters: { N: 100, IFACE: 'lo' } } },
  );
  const run = await probebook(['run', 'p.ipynb', '--out', 'o.ipynb', '--param', 'N=7'], dir);
  assert.equal(run.code, 0, run.stderr);
  const nb = JSON.parse(readFileSync(join(dir, 'o.ipynb'), 'utf8'));
  assert.equal(texts(nb, 0), 'N=7 IFACE=lo\n');
  assert.equal(texts(nb, 1), '7 lo\n');
});

test('background cells run alongside later cells and are interrupted at the end of the run; bpftrace prints its maps', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'], check: () => (existsPython() ? null : 'python3-nbformat') })) return;
  const dir = workdir(t);
  writeNotebook(dir, 'bg.ipynb', [
    {
      source: '%%bpftrace\ntracepoint:syscalls:sys_enter_openat /comm == "cat"/ { @opens[comm] = count(); }\nBEGIN { printf("tracing\\n"); }',
      probebook: { name: 'tracer', background: true },
    },
    // No sleep: Run All starts this cell once the tracer's probes are attached (a background bpftrace cell is ready then).
    { source: 'for i in 1 2 3 4 5; do cat /etc/hostname > /dev/null; done; echo load done', probebook: { name: 'load' } },
  ]);
  const started = Date.now();
  const run = await probebook(['run', 'bg.ipynb', '--out', 'o.ipynb'], dir);
  assert.equal(run.code, 0, run.stderr);
  // The tracer never ends by itself: a run that waited for it would not end at all. The bound only
  // has to tell that apart from a slow run (bpftrace's start, a loaded CI machine).
  assert.ok(Date.now() - started < 60_000, `the run did not wait for the background cell to end by itself (${Date.now() - started} ms)`);
  assert.match(run.stderr, /tracer ok \(stopped at the end of the run\)/);
  const out = join(dir, 'o.ipynb');
  validate(out);
  const nb = JSON.parse(readFileSync(out, 'utf8'));
  const tracer = nb.cells[0].outputs;
  assert.equal(tracer[0].text.join(''), 'tracing\n');
  const map = tracer.find((o: { output_type: string }) => o.output_type === 'display_data');
  assert.ok(map, 'the map printed at the interrupt is an output');
  assert.equal(map.data['application/vnd.probebook.bpftrace+json'].name, '@opens');
  assert.match(map.data['text/plain'].join(''), /@opens\[cat\]: \d+/);
  assert.equal(texts(nb, 1), 'load done\n');
});

test('a cell timeout stops it the way Ctrl-C does and the run goes on', async (t) => {
  const dir = workdir(t);
  writeNotebook(dir, 't.ipynb', [{ source: 'echo start; sleep 30', probebook: { timeout: '2s' } }, 'echo next']);
  const run = await probebook(['run', 't.ipynb', '--out', 'o.ipynb'], dir);
  assert.equal(run.code, 0, run.stderr);
  const nb = JSON.parse(readFileSync(join(dir, 'o.ipynb'), 'utf8'));
  assert.match(texts(nb, 0), /start\n\[probebook: stopped by its 2s timeout\]/);
  assert.equal(texts(nb, 1), 'next\n');
});

test('a flooding cell is saved up to the limit with an explicit truncation note', async (t) => {
  const dir = workdir(t);
  writeNotebook(dir, 'f.ipynb', ['seq 2000000']);
  const run = await probebook(['run', 'f.ipynb', '--out', 'o.ipynb', '--output-limit', '64KiB'], dir);
  assert.equal(run.code, 0, run.stderr);
  const out = join(dir, 'o.ipynb');
  assert.ok(statSync(out).size < 300_000, `${statSync(out).size} bytes`); // 64 KiB of lines, each a JSON string in a list
  const text = texts(JSON.parse(readFileSync(out, 'utf8')), 0);
  assert.ok(text.startsWith('1\n2\n3\n'));
  assert.match(text, /\[probebook: output truncated: 14\.\d MiB \(1,98\d,\d{3} lines\) not saved; the limit is 64\.0 KiB per stream/);
});

test('without --out the outputs are printed as they arrive and nothing is written', async (t) => {
  const dir = workdir(t);
  writeNotebook(dir, 'e.ipynb', ['echo to-stdout; echo to-stderr >&2']);
  const run = await probebook(['run', 'e.ipynb', '-q'], dir);
  assert.equal(run.code, 0);
  assert.equal(run.stdout, 'to-stdout\n');
  assert.equal(run.stderr, 'to-stderr\n');
  assert.deepEqual(readdirSync(dir), ['e.ipynb']);
});

test('nothing of a run is left behind: background children of cells are gone when it ends', async (t) => {
  const dir = workdir(t);
  const marker = `pb-cli-orphan-${process.pid}`;
  writeNotebook(dir, 'o.ipynb', [
    `(exec -a ${marker} sleep 100) & echo spawned`,
    { source: `(exec -a ${marker} sleep 100) & sleep 100`, probebook: { background: true } },
    'sleep 0.2',
  ]);
  const run = await probebook(['run', 'o.ipynb', '-q'], dir);
  assert.equal(run.code, 0, run.stderr);
  const left = execFileSync('ps', ['-eo', 'stat=,args='])
    .toString()
    .split('\n')
    .filter((l) => l.includes(marker) && !l.startsWith('Z'));
  assert.deepEqual(left, []);
});

function existsPython(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import nbformat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('after a crash, the next run first runs the cleanup cells the crashed run never reached', async (t) => {
  const dir = workdir(t);
  const state = mkdtempSync(join(tmpdir(), 'pb-ledger-'));
  t.after(() => rmSync(state, { recursive: true, force: true }));
  const marker = join(dir, 'cleaned');
  writeNotebook(dir, 'crash.ipynb', [
    { source: `if [ ! -e ${dir}/crashed-once ]; then touch ${dir}/crashed-once; kill -9 $PPID; sleep 5; fi; echo fine` },
    { source: `echo cleaned >> ${marker}`, probebook: { cleanup: true, name: 'undo' } },
  ]);
  const crashed = await probebook(['run', 'crash.ipynb', '-q'], dir, { XDG_STATE_HOME: state });
  assert.notEqual(crashed.code, 0, 'the first run died');
  assert.throws(() => readFileSync(marker), 'its cleanup did not run');
  const next = await probebook(['run', 'crash.ipynb', '--out', 'o.ipynb'], dir, { XDG_STATE_HOME: state });
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /did not finish; running its cleanup cells first/);
  assert.equal(readFileSync(marker, 'utf8'), 'cleaned\ncleaned\n', 'cleanup ran for the crashed run, then at the end of this one');
  const again = await probebook(['run', 'crash.ipynb', '-q'], dir, { XDG_STATE_HOME: state });
  assert.equal(again.code, 0);
  assert.doesNotMatch(again.stderr, /did not finish/, 'a clean run leaves nothing pending');
});
