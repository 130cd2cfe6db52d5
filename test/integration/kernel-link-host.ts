/**
 * A real kernel host (its NDJSON edge, its sink, its messages) over a scripted kernel that makes
 * every `OutputSink` call once, in a known order: the kernel link under test, without root or
 * tools. Started by kernel-link.test.ts as the kernel host's entry.
 */
import { randomUUID } from 'node:crypto';
import type { CellErrorData } from '../../core/common/mime.ts';
import { KernelHost, type KernelHostOptions } from '../../core/node/kernel-host/kernel-host.ts';
import type { CellExecutor } from '../../core/node/run/executor.ts';

const error: CellErrorData = { ename: 'LabError', evalue: 'veth0 is down', traceback: ['at step 2'] };

const executor: CellExecutor = {
  runAs: 'user',
  runAsFor: () => 'user',
  async execute({ sink, onTracing }) {
    sink.stream('stdout', 'out 1\n');
    sink.stream('stdout', 'out 2\n');
    sink.stream('stderr', 'warn\n');
    sink.display([{ mime: 'text/plain', data: 'rate 1' }], { displayId: 'rate' });
    sink.display([{ mime: 'text/plain', data: 'table' }]);
    sink.update('rate', [{ mime: 'text/plain', data: 'rate 2' }]);
    sink.clear();
    onTracing?.();
    sink.stream('stdout', 'after clear\n');
    sink.error(error);
    return { status: 'failed', stopped: false, error, durationMs: 7, exitCode: 3, exitSignal: null };
  },
  reset: async () => undefined,
  dispose: async () => undefined,
};

// Nothing to contain: the scripted kernel starts no process.
const containment = {
  mode: 'process-group',
  createCell: () => null,
  adopt: () => undefined,
  release: () => undefined,
  killCell: async () => undefined,
  killAll: async () => undefined,
} as unknown as KernelHostOptions['containment'];

new KernelHost({
  input: process.stdin,
  output: process.stdout,
  sessionId: randomUUID(),
  executor,
  user: { uid: process.getuid!(), gid: process.getgid!() },
  containment,
  onExit: (code) => process.stdout.write('', () => process.exit(code)),
}).start();
