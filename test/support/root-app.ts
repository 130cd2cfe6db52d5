/**
 * A stand-in for the app in the root-*.test.ts files: starts the kernel host the way the app does
 * (`KernelHostClient.start()`: root, `sudo -n` or `pkexec`), runs the cells given as JSON in
 * argv[2] all at once, and reports on stdout as JSON lines — so a test can kill -9 this process
 * (the kernel host's parent) while its cells run.
 *
 *   node --import tsx root-app.ts '[{"cellId":"c1","language":"shell","code":"id -u"}]'
 *
 * Lines: {"welcome":…,"method":…} · {"cellId","stream","text"} · {"cellId","ended":result} ·
 * {"error":message} · {"runId"} · {"done":true}. Env: PROBEBOOK_TEST_HOST_ENTRY / _NODE_ARGS (JSON);
 * PROBEBOOK_TEST_NOTEBOOK: record the run in the cleanup ledger under that path, as the runner does.
 */
import type { CellLanguage } from '../../core/common/languages.ts';
import { CleanupLedger } from '../../core/node/session/cleanup-ledger.ts';
import { KernelHostClient } from '../../core/node/kernel-host/kernel-host-client.ts';

interface CellSpec {
  cellId: string;
  language: CellLanguage;
  code: string;
  asUser?: boolean;
  /** Runs after the others, whatever happened to them (as the runner runs cleanup cells). */
  cleanup?: boolean;
}

const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
const cells = JSON.parse(process.argv[2] ?? '[]') as CellSpec[];
const notebook = process.env.PROBEBOOK_TEST_NOTEBOOK;

try {
  const client = await KernelHostClient.start({
    entry: process.env.PROBEBOOK_TEST_HOST_ENTRY,
    nodeArgs: JSON.parse(process.env.PROBEBOOK_TEST_HOST_NODE_ARGS ?? '[]') as string[],
    heartbeatMs: 500,
    startTimeoutMs: 15_000,
  });
  say({ welcome: client.welcome, method: client.method });
  const run = (cell: CellSpec) =>
    client
      .execute({
        notebookKey: 'test',
        notebookPath: notebook ?? '/tmp/root-app.ipynb',
        cellId: cell.cellId,
        language: cell.language,
        code: cell.code,
        cwd: '/tmp',
        env: {},
        args: [],
        asUser: cell.asUser,
        signal: new AbortController().signal,
        sink: {
          stream: (stream, text) => say({ cellId: cell.cellId, stream, text }),
          display: () => undefined,
          update: () => undefined,
          clear: () => undefined,
          error: (error) => say({ cellId: cell.cellId, error: error.evalue }),
        },
      })
      .then((result) => say({ cellId: cell.cellId, ended: result }));
  const cleanup = cells.filter((c) => c.cleanup);
  const ledger = notebook ? new CleanupLedger() : undefined;
  const runId = ledger?.beginRun(
    notebook!,
    cleanup.map((c) => c.cellId),
  );
  if (runId) say({ runId });
  try {
    await Promise.all(cells.filter((c) => !c.cleanup).map(run));
  } finally {
    for (const cell of cleanup) await run(cell);
    if (runId) ledger!.endRun(runId);
  }
  await client.dispose();
  say({ done: true });
} catch (error) {
  say({ error: (error as Error).message });
  process.exitCode = 1;
}
