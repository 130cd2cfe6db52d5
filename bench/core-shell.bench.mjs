// Headless shell cells against Jupyter (or plain bash when Jupyter is absent), measured side by
// side in this run. Ours and the peer alternate, ROUNDS times, and medians are compared, so one
// busy moment of the machine cannot make a miss look like a pass (or the reverse).
//  (a) 100 one-line shell cells, whole `probebook run` process   goal ≤ 0.15× Jupyter's time
//  (b) run → first output of a one-line cell (in process)        goal ≤ 1 ms and ≤ 0.25× Jupyter's
//  (c) one cell printing 2,000,000 lines, whole process          goal ≤ 5× `seq 2000000 > file`, ≤ 200 MB peak RSS
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'probebook-bench-'));
const cli = join(root, 'dist/node/cli.js');
const ROUNDS = Number(process.env.PB_BENCH_ROUNDS ?? 5);

const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const jupyter = has('jupyter-nbconvert') && spawnSync('/usr/bin/python3', ['-c', 'import jupyter_client, ipykernel'], { stdio: 'ignore' }).status === 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => (a / b).toFixed(2);
const goal = (ok) => (ok ? 'meets goal' : 'MISSES goal');
const ms = (x) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const rounds = (xs, ys) => xs.map((x, i) => ratio(x, ys[i])).join(', ');

function notebook(sources) {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: sources.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
  });
}

/** Runs the CLI in a fresh node and returns wall ms and the process's peak RSS (MB). */
function probebookRun(nbPath, outPath) {
  rmSync(outPath, { force: true });
  const script = `const { main } = await import(${JSON.stringify(`file://${cli}`)});
const code = await main(['run', ${JSON.stringify(nbPath)}, '--out', ${JSON.stringify(outPath)}, '-q']);
process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code;`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`probebook run failed (${r.status}): ${r.stderr}`);
  const rss = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { ms: wall, rssMB: rss };
}

function timed(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Alternates `ours` and `peer` ROUNDS times; returns both series. */
function alternate(ours, peer) {
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(ours());
    b.push(peer());
  }
  return { ours: a, peer: b };
}

try {
  console.log(`${ROUNDS} alternating rounds of ours and the peer; medians compared (quiet the machine first: docs/benchmarks.md).`);

  // (a) 100 one-line cells
  const hundred = join(work, 'hundred.ipynb');
  writeFileSync(hundred, notebook(Array.from({ length: 100 }, (_, i) => `%%bash\necho cell ${i}`)));
  const peerName = jupyter ? 'jupyter nbconvert --execute' : '100 sequential bash -c (Jupyter not installed)';
  const peerA = jupyter
    ? () =>
        timed(() => execFileSync('jupyter-nbconvert', ['--to', 'notebook', '--execute', hundred, '--output', join(work, 'jout.ipynb')], { stdio: 'ignore' }))
    : () =>
        timed(() => {
          for (let i = 0; i < 100; i++) execFileSync('bash', ['-c', `echo cell ${i}`]);
        });
  probebookRun(hundred, join(work, 'out.ipynb')); // warm the file cache once
  const a = alternate(() => probebookRun(hundred, join(work, 'out.ipynb')).ms, peerA);
  const [oursA, theirsA] = [median(a.ours), median(a.peer)];
  console.log(
    `(a) 100 one-line shell cells: probebook run ${ms(oursA)}, ${peerName} ${ms(theirsA)} → ${ratio(oursA, theirsA)}× ` +
      `(${jupyter ? `${goal(oursA <= 0.15 * theirsA)} ≤ 0.15×` : 'goal is against Jupyter'}; rounds ${rounds(a.ours, a.peer)})`,
  );

  // (b) run → first output, in process, one kernel started ahead of time (as Jupyter's is)
  const { NotebookRunner } = await import(join(root, 'core/node/run/notebook-runner.ts'));
  const { createLocalExecutor } = await import(join(root, 'core/node/run/local-executor.ts'));
  const { parseNotebook } = await import(join(root, 'core/common/notebook/ipynb.ts'));
  const nb = parseNotebook(notebook(['echo hi']), 'first-output.ipynb');
  const executor = createLocalExecutor();
  let firstOutput;
  const runner = new NotebookRunner({
    notebook: nb,
    notebookPath: join(work, 'first-output.ipynb'),
    notebookKey: 'bench',
    executor,
    events: {
      output: (_id, edit) => {
        if (edit.kind === 'add' && firstOutput === undefined) firstOutput = performance.now();
      },
    },
  });
  await runner.run(); // warm-up: loads the kernel
  const firstOutputs = async (n) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      firstOutput = undefined;
      const t0 = performance.now();
      await runner.run();
      samples.push(firstOutput - t0);
    }
    return median(samples);
  };
  const peerB = jupyter
    ? () => Number(execFileSync('/usr/bin/python3', [join(root, 'bench/jupyter_first_output.py'), '100'], { encoding: 'utf8' }).trim())
    : () => {
        const samples = [];
        for (let i = 0; i < 100; i++) samples.push(timed(() => execFileSync('bash', ['-c', 'echo hi'])));
        return median(samples);
      };
  const b = { ours: [], peer: [] };
  for (let i = 0; i < Math.min(ROUNDS, 3); i++) {
    b.ours.push(await firstOutputs(100));
    b.peer.push(peerB());
  }
  await executor.dispose();
  const [oursB, theirsB] = [median(b.ours), median(b.peer)];
  console.log(
    `(b) run → first output, median of 100 per round: probebook ${ms(oursB)}, ${jupyter ? 'Jupyter' : 'spawn of bash -c (Jupyter not installed)'} ${ms(theirsB)} → ` +
      `${ratio(oursB, theirsB)}× (${goal(oursB <= 1 && (!jupyter || oursB <= 0.25 * theirsB))} ≤ 1 ms and ≤ 0.25×; rounds ${b.ours.map(ms).join(', ')})`,
  );

  // (c) 2,000,000 lines
  const flood = join(work, 'flood.ipynb');
  writeFileSync(flood, notebook(['seq 2000000']));
  let rss = 0;
  const c = alternate(
    () => {
      const r = probebookRun(flood, join(work, 'flood-out.ipynb'));
      rss = Math.max(rss, r.rssMB);
      return r.ms;
    },
    () => timed(() => execFileSync('bash', ['-c', `seq 2000000 > ${join(work, 'seq.txt')}`])),
  );
  const [oursC, theirsC] = [median(c.ours), median(c.peer)];
  console.log(
    `(c) 2,000,000 lines: probebook run ${ms(oursC)}, seq > file ${ms(theirsC)} → ${ratio(oursC, theirsC)}× ` +
      `(${goal(oursC <= 5 * theirsC)} ≤ 5×; rounds ${rounds(c.ours, c.peer)}); peak RSS ${rss.toFixed(0)} MB (${goal(rss <= 200)} ≤ 200 MB)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
