/**
 * A stand-in for the app in the root-*.test.ts files: starts the kernel host the way the app does
 * (`KernelHostClient.start()`: root, `sudo -n` or `pkexec`), runs the cells given as JSON in
 * argv[2] all at once, and reports on stdout as JSON lines — so a test can kill -9 this process
 * (the kernel host's parent) while its cells run.
 *
 *   node --import tsx root-app.ts '[{"cellId":"c1","language":"shell","code":"id -u"}]'
 *
 * Lines: {"welcome":…,"method":…} · {"cellId","stream","text"} · {"cellId","ended":result} ·
 * {"error":message} · {"done":true}. Env: PROBEBOOK_TEST_HOST_ENTRY / _NODE_ARGS (JSON).
 */
import type { CellLanguage } from '../../core/common/languages.ts';
import { KernelHostClient } from '../../core/node/host/kernel-host-client.ts';

interface CellSpec {
  cellId: string;
  language: CellLanguage;
  code: string;
  asUser?: boolean;
}

const say = (line: unknown) => process.stdout.write(JSON.stringify(line) + '\n');
const cells = JSON.parse(process.argv[2] ?? '[]') as CellSpec[];

try {
  const client = await KernelHostClient.start({
    entry: process.env.PROBEBOOK_TEST_HOST_ENTRY,
    nodeArgs: JSON.parse(process.env.PROBEBOOK_TEST_HOST_NODE_ARGS ?? '[]') as string[],
    heartbeatMs: 500,
    startTimeoutMs: 15_000,
  });
  say({ welcome: client.welcome, method: client.method });
  await Promise.all(
    cells.map(async (cell) => {
      const result = await client.execute({
        notebookKey: 'test',
        notebookPath: '/tmp/root-app.ipynb',
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
          error: (error) => say({ cellId: cell.cellId, error: error.evalue }),
        },
      });
      say({ cellId: cell.cellId, ended: result });
    }),
  );
  await client.dispose();
  say({ done: true });
} catch (error) {
  say({ error: (error as Error).message });
  process.exitCode = 1;
}
