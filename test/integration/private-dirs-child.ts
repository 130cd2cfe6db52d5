/**
 * Started by private-dirs.test.ts: starts a shell kernel (its private folders) and, with argv[2]
 * `trace`, a bpftrace cell that traces until killed; prints one JSON line once they are up
 * (`{ bpftracePid }`), then waits to be killed. With `start`, it disposes the kernel and exits.
 */
import { tmpdir } from 'node:os';
import { BpftraceKernel } from '../../core/node/kernels/bpftrace-kernel.ts';
import { ShellKernel } from '../../core/node/kernels/shell-kernel.ts';

const shell = new ShellKernel({ warm: false });
if (process.argv[2] === 'trace') {
  let bpftracePid = 0;
  void new BpftraceKernel().execute({
    notebookKey: 'nb',
    cellId: 'c',
    language: 'bpftrace',
    code: 'BEGIN { printf("tracing\\n"); } interval:s:100 { exit(); }',
    cwd: tmpdir(),
    env: {},
    args: [],
    signal: new AbortController().signal,
    onSpawn: (pid) => (bpftracePid = pid),
    sink: {
      stream: (name, text) => {
        if (name === 'stdout' && text.includes('tracing')) process.stdout.write(`${JSON.stringify({ bpftracePid })}\n`);
        else if (name === 'stderr') process.stderr.write(text);
      },
      display: () => undefined,
      update: () => undefined,
      clear: () => undefined,
      error: (e) => process.stderr.write(`${e.ename}: ${e.evalue}\n`),
    },
  });
  setInterval(() => undefined, 1000); // until killed
} else {
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
  await shell.dispose();
}
