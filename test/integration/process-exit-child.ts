/**
 * Started by process-stop.test.ts: runs a cell (a bash that starts a marked background sleep and
 * waits; the marker comes in $PB_MARKER), says "ready" once both run, then ends the way argv[2] asks: `exit` (process.exit),
 * `throw` (an uncaught exception) or `wait` (the test sends a signal).
 */
import { runCellProcess } from '../../core/node/process/cell-process.ts';

const how = process.argv[2];
const marker = process.env.PB_MARKER;
void runCellProcess('bash', ['-c', '(exec -a "$M-child" sleep 100) & echo ready; exec -a "$M-main" sleep 100'], {
  cwd: '/',
  env: { M: marker! },
  signal: new AbortController().signal,
  onStdout: (text) => {
    if (!text.includes('ready')) return;
    process.stdout.write('ready\n');
    if (how === 'exit') setTimeout(() => process.exit(0), 20);
    if (how === 'throw') setTimeout(() => {
      throw new Error('a crash of the process that runs cells');
    }, 20);
  },
  onStderr: (text) => process.stderr.write(text),
});
setInterval(() => undefined, 1000); // stays alive until told
