/**
 * The private folders kernels make (shell state, FIFOs, bpftrace scripts) do not pile up: after a
 * SIGKILL, which runs no exit handler, the next kernel start removes the folders of the process
 * that is gone — and nothing of a live process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { needs } from '../support/needs.ts';
import { repoRoot, waitGone } from '../support/root.ts';

const CHILD = join(repoRoot, 'test/integration/private-dirs-child.ts');
// Where makePrivateDir puts them for root without XDG_RUNTIME_DIR (the child gets none).
const BASE = '/dev/shm';

/** Folders in BASE named for `pid`. */
const foldersOf = (pid: number) => readdirSync(BASE).filter((name) => name.startsWith('probebook-') && name.includes(`-${pid}-`));

function startChild(mode: 'trace' | 'start') {
  const env = { ...process.env };
  delete env.XDG_RUNTIME_DIR;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = new Promise<Record<string, number>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Record<string, number>));
    void exited.then(() => reject(new Error(`the child exited early: ${stderr}`)));
  });
  return { child, exited, firstLine };
}

test("a killed kernel's folders are removed by the next kernel start; a live one's stay", async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'], check: () => (existsSync(BASE) ? null : BASE) })) return;
  const killed = startChild('trace');
  const live = startChild('trace');
  for (const c of [killed, live]) {
    t.after(async () => {
      // The processes started here, by pid: the children, and their bpftrace's process group.
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exited;
    });
  }
  const tracers = await Promise.all([killed.firstLine, live.firstLine]);
  for (const { bpftracePid } of tracers) {
    t.after(async () => {
      try {
        process.kill(-bpftracePid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await waitGone([bpftracePid!], 10_000);
    });
  }
  const left = foldersOf(killed.child.pid!);
  assert.deepEqual(left.map((name) => name.replace(/-\d+-\d+-\w{6}$/, '')).sort(), ['probebook-bt', 'probebook-shell', 'probebook-stdio']);
  killed.child.kill('SIGKILL');
  await killed.exited;
  process.kill(-tracers[0]!.bpftracePid!, 'SIGKILL');
  await waitGone([tracers[0]!.bpftracePid!], 10_000);
  assert.deepEqual(foldersOf(killed.child.pid!), left, 'a SIGKILL leaves them');

  const next = startChild('start');
  await next.firstLine;
  assert.deepEqual(foldersOf(killed.child.pid!), [], 'the next kernel start removed them');
  assert.equal(foldersOf(live.child.pid!).length, 3, "the live kernel's folders stay");
  await next.exited;
  assert.deepEqual(foldersOf(next.child.pid!), [], 'a kernel that ends normally leaves nothing');
});
