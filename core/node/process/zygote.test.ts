import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellEnvironment } from './base-env.ts';
import { CellProcess } from './cell-process.ts';
import { preparePipes } from './child-stdio.ts';
import { Zygote } from './zygote.ts';

/** A child that says it is ready, reads its input on fd 3, prints who it is and ends as the input says. */
const CHILD = [
  'bash',
  '--noprofile',
  '--norc',
  '-c',
  'exec 4>&-; IFS= read -r -N 100 x <&3; echo "in=$x pid=$$ sid=$(ps -o sid= -p $$ | tr -d " ") pgid=$(ps -o pgid= -p $$ | tr -d " ") stdin=$(readlink /proc/$$/fd/0)"; echo err >&2; eval "$x"',
];

function started(t: { after(fn: () => void): void }): Zygote {
  const dir = mkdtempSync(join(tmpdir(), 'pb-zygote-'));
  const zygote = Zygote.start(CHILD, { cwd: dir, env: cellEnvironment({}) });
  assert.ok(zygote, 'perl and bash are here');
  t.after(() => {
    zygote.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return zygote;
}

/** Forks a child once the pipes' stock has some (it is made in the background). */
async function fork(zygote: Zygote): Promise<CellProcess> {
  preparePipes();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const forked = CellProcess.fork(zygote, {});
    if (forked) return forked;
    if (Date.now() > deadline) throw new Error('no FIFOs were made');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(child: CellProcess, input: string) {
  let stdout = '';
  let stderr = '';
  const result = await child.run({ signal: new AbortController().signal, onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) }, () =>
    child.control?.end(input),
  );
  return { result, stdout, stderr };
}

test('a forked child leads its own session, gets its pipes and /dev/null, and its exit code is reported', async (t) => {
  const zygote = started(t);
  const child = await fork(zygote);
  await child.ready;
  assert.ok(child.isReady && child.alive);
  const { result, stdout, stderr } = await run(child, 'exit 7');
  assert.equal(stdout, `in=exit 7 pid=${child.pid} sid=${child.pid} pgid=${child.pid} stdin=/dev/null\n`);
  assert.equal(stderr, 'err\n');
  assert.deepEqual([result.exitCode, result.exitSignal, result.stopped], [7, null, false]);
  assert.equal(child.alive, false);
});

test('a child killed by a signal is reported with its name, and many children in a row all end', async (t) => {
  const zygote = started(t);
  const killed = await run(await fork(zygote), 'kill -TERM $$');
  assert.deepEqual([killed.result.exitCode, killed.result.exitSignal], [null, 'SIGTERM']);
  // Exits that come while the zygote waits, or just before, are all reported (none waits forever).
  const ends = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await run(await fork(zygote), `exit ${i}`)).result.exitCode));
  assert.deepEqual(
    ends,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('when the zygote is gone, its children are killed and reported so, and it forks no more', async (t) => {
  const zygote = started(t);
  const child = await fork(zygote);
  await child.ready;
  const running = run(child, 'sleep 300');
  zygote.dispose();
  const { result } = await running;
  assert.equal(result.exitSignal, 'SIGKILL');
  assert.equal(zygote.alive, false);
  await assert.rejects(fork(zygote));
});
