// Issue 3's benchmark: headless shell cells against Jupyter (or plain bash when Jupyter is absent),
// measured side by side in this run.
//  (a) 100 one-line shell cells, whole run     goal ≤ 0.2× Jupyter's time
//  (b) run → first output of a one-line cell   goal ≤ 0.5× Jupyter's median
//  (c) one cell printing 2,000,000 lines       goal ≤ 3× `seq 2000000 > file`, ≤ 300 MB peak RSS
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'probebook-bench-'));
const cli = join(root, 'dist/node/cli.js');

const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const jupyter = has('jupyter-nbconvert') && spawnSync('/usr/bin/python3', ['-c', 'import jupyter_client, ipykernel'], { stdio: 'ignore' }).status === 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => (a / b).toFixed(2);
const goal = (ok) => (ok ? 'meets goal' : 'MISSES goal');

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
  const script = `const { main } = await import(${JSON.stringify(`file://${cli}`)});
const code = await main(['run', ${JSON.stringify(nbPath)}, '--out', ${JSON.stringify(outPath)}, '-q']);
process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code;`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`probebook run failed (${r.status}): ${r.stderr}`);
  const rss = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { ms, rssMB: rss };
}

try {
  // (a) 100 one-line cells
  const hundred = join(work, 'hundred.ipynb');
  writeFileSync(hundred, notebook(Array.from({ length: 100 }, (_, i) => `%%bash\necho cell ${i}`)));
  const ours = median([0, 1, 2].map(() => probebookRun(hundred, join(work, 'out.ipynb')).ms));
  let peerName, peer;
  if (jupyter) {
    peerName = 'jupyter nbconvert --execute';
    const t0 = performance.now();
    execFileSync('jupyter-nbconvert', ['--to', 'notebook', '--execute', hundred, '--output', join(work, 'jout.ipynb')], { stdio: 'ignore' });
    peer = performance.now() - t0;
  } else {
    peerName = '100 sequential bash -c (Jupyter not installed)';
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) execFileSync('bash', ['-c', `echo cell ${i}`]);
    peer = performance.now() - t0;
  }
  console.log(
    `(a) 100 one-line shell cells: probebook run ${ours.toFixed(0)} ms, ${peerName} ${peer.toFixed(0)} ms → ${ratio(ours, peer)}× (${jupyter ? `${goal(ours <= 0.2 * peer)} ≤ 0.2×` : 'goal is against Jupyter'})`,
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
  const samples = [];
  for (let i = 0; i < 100; i++) {
    firstOutput = undefined;
    const t0 = performance.now();
    await runner.run();
    samples.push(firstOutput - t0);
  }
  await executor.dispose();
  const oursFirst = median(samples);
  if (jupyter) {
    const jup = Number(execFileSync('/usr/bin/python3', [join(root, 'bench/jupyter_first_output.py'), '100'], { encoding: 'utf8' }).trim());
    console.log(
      `(b) run → first output, median of 100: probebook ${oursFirst.toFixed(2)} ms, Jupyter ${jup.toFixed(2)} ms → ${ratio(oursFirst, jup)}× (${goal(oursFirst <= 0.5 * jup)} ≤ 0.5×)`,
    );
  } else {
    const spawnSamples = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      execFileSync('bash', ['-c', 'echo hi']);
      spawnSamples.push(performance.now() - t0);
    }
    console.log(
      `(b) run → first output, median of 100: probebook ${oursFirst.toFixed(2)} ms, spawn of bash -c ${median(spawnSamples).toFixed(2)} ms (Jupyter not installed)`,
    );
  }

  // (c) 2,000,000 lines
  const flood = join(work, 'flood.ipynb');
  writeFileSync(flood, notebook(['seq 2000000']));
  const big = probebookRun(flood, join(work, 'flood-out.ipynb'));
  const t0 = performance.now();
  execFileSync('bash', ['-c', `seq 2000000 > ${join(work, 'seq.txt')}`]);
  const plain = performance.now() - t0;
  console.log(
    `(c) 2,000,000 lines: probebook run ${big.ms.toFixed(0)} ms, peak RSS ${big.rssMB.toFixed(0)} MB; seq > file ${plain.toFixed(0)} ms → ${ratio(big.ms, plain)}× (${goal(big.ms <= 3 * plain)} ≤ 3×; RSS ${goal(big.rssMB <= 300)} ≤ 300 MB)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
