/** A shell-kernel request whose sink records what arrives, for the shell-*.test.ts files. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import type { CellErrorData } from '../../core/common/mime.ts';
import type { ExecutionRequest } from '../../core/node/kernels/kernel.ts';
import { textArrival } from './within.ts';

export interface SinkEvent {
  kind: 'stdout' | 'stderr';
  text: string;
  at: number;
}

export function shellRequest(code: string, over: Partial<ExecutionRequest> = {}) {
  const events: SinkEvent[] = [];
  const errors: CellErrorData[] = [];
  const stdout = textArrival();
  const req: ExecutionRequest = {
    notebookKey: 'nb',
    cellId: 'c',
    language: 'shell',
    code,
    cwd: tmpdir(),
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: {
      stream: (kind, text) => {
        events.push({ kind, text, at: performance.now() });
        if (kind === 'stdout') stdout.feed(text);
      },
      display: () => assert.fail('shell cells display nothing'),
      update: () => assert.fail('shell cells display nothing'),
      clear: () => assert.fail('shell cells clear nothing'),
      error: (e) => errors.push(e),
    },
    ...over,
  };
  const text = (kind: SinkEvent['kind'] = 'stdout') =>
    events
      .filter((e) => e.kind === kind)
      .map((e) => e.text)
      .join('');
  /** Resolves once stdout holds `needle`. */
  return { req, events, errors, text, arrival: (needle: string) => events.find((e) => e.text.includes(needle))?.at, printed: stdout.printed };
}
