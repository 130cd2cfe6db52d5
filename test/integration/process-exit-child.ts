/**
 * Started by process-stop.test.ts: runs a cell (a bash that starts a marked background sleep and
 * waits; the marker comes in $PB_MARKER) and ends the way argv[2] asks: `exit` (process.exit) or
 * `throw` (an uncaught exception) when the test sends SIGUSR2, once it has seen both processes, or
 * `wait` (the test sends the signal that ends it).
 */
import { runCellProcess } from '../../core/node/process/cell-process.ts';

const how = process.argv[2];
const marker = process.env.PB_MARKER;
void runCellProcess('bash', ['-c', '(exec -a "$M-child" sleep 100) & echo ready; exec -a "$M-main" sleep 100'], {
  cwd: '/',
  env: { M: marker! },
  signal: new AbortController().signal,
  onStdout: (text) => process.stdout.write(text),
  onStderr: (text) => process.stderr.write(text),
});
// On the test's word, not on a timer: a timer raced the test, which on a loaded machine sometimes
// had not yet seen both processes when they were already gone.
process.on('SIGUSR2', () => {
  if (how === 'exit') process.exit(0);
  if (how === 'throw')
    setImmediate(() => {
      throw new Error('a crash of the process that runs cells');
    });
});
setInterval(() => undefined, 1000); // stays alive until told
