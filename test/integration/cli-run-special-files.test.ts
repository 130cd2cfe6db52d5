// `probebook run` on what is not a notebook file: a FIFO, a device, a file over the size limit.
// The real CLI bundle refuses each at once, naming it, with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = join(resolve(import.meta.dirname, '../..'), 'bin/probebook.mjs');

/** Runs `probebook run PATH`; a run still going after 30 s is killed and reported as hung. */
function run(path: string): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, 'run', path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let hung = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A deadline, not a wait: the test goes on at the child's exit.
    const deadline = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL'); // our own child, by its handle
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      done({ code, stderr, hung });
    });
  });
}

test('probebook run refuses a FIFO, a device and an oversized file at once, naming it, with exit code 2', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-run-special-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'lab.ipynb');
  execFileSync('mkfifo', [fifo]);
  t.after(() => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // EOF for a reader still blocked on it
    } catch {
      // no reader: nothing blocked
    }
  });
  const big = join(dir, 'big.ipynb');
  writeFileSync(big, '');
  truncateSync(big, 512 * 1024 * 1024 + 1); // sparse: no disk used
  const cases = [
    { path: fifo, said: `${fifo} is a named pipe (FIFO), not a notebook file: Probebook reads only regular files.` },
    { path: '/dev/zero', said: '/dev/zero is a device, not a notebook file: Probebook reads only regular files.' },
    { path: big, said: `${big} is larger than 512 MiB, more than any notebook Probebook opens.` },
  ];
  for (const { path, said } of cases) {
    const r = await run(path);
    assert.equal(r.hung, false, `${path}: probebook run hung`);
    assert.equal(r.code, 2, `${path}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), `probebook run: ${said}`);
  }
});
