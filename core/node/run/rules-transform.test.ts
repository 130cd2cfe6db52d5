import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MIME } from '../../common/mime.ts';
import type { Cell, OutputItem } from '../../common/notebook/model.ts';
import { streamOutput } from '../../common/notebook/outputs.ts';
import type { RulesPayload } from '../../common/parsers/netfilter/rules-model.ts';
import type { CellLanguage } from '../../common/languages.ts';
import { rulesTransform } from './rules-transform.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../test/fixtures/netfilter', name), 'utf8');

/** What the transform does to a cell with these outputs: its sink calls, and the items it displayed. */
function run(source: string, outputs: Cell['outputs'], language: CellLanguage = 'shell'): { calls: string[]; shown: OutputItem[][] } {
  const calls: string[] = [];
  const shown: OutputItem[][] = [];
  const cell: Cell = { id: 'r', cellType: 'code', source, metadata: {}, outputs, executionCount: 1 };
  rulesTransform.afterCell(
    cell,
    { language, result: { status: 'ok', stopped: false, durationMs: 1 } },
    {
      stream: (name) => calls.push(name),
      display: (items) => {
        calls.push('display');
        shown.push(items);
      },
      update: () => calls.push('update'),
      clear: () => calls.push('clear'),
      error: () => calls.push('error'),
    },
  );
  return { calls, shown };
}

test('a listing printed alone takes the stdout place: rules+json, and text/plain exactly as printed', () => {
  const text = fixture('iptables-L-n-v-x-no-target.txt');
  const { calls, shown } = run('sudo iptables -t filter -L -n -v -x --line-numbers', [streamOutput('stdout', text, 1), streamOutput('stderr', 'warning\n', 2)]);
  assert.deepEqual(calls, ['clear', 'display', 'stderr']);
  const [rules, plain] = shown[0]!;
  assert.equal(rules!.mime, MIME.rules);
  assert.deepEqual(plain, { mime: MIME.plain, data: text });
  const payload = rules!.data as unknown as RulesPayload;
  assert.equal(payload.command, 'sudo iptables -t filter -L -n -v -x --line-numbers');
  assert.deepEqual(
    payload.tables[0]!.chains.map((c) => c.name),
    ['INPUT', 'FORWARD', 'OUTPUT', 'LAB'],
  );
});

test('listings among other output: the view comes after the text, with deltas between the two listings', () => {
  const before = fixture('iptables-L-n-v-x-no-target.txt');
  const after = before.replace('1        3000   384000 LAB', '1        3004   384336 LAB');
  const text = `${before}PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n4 packets transmitted, 4 received\n${after}`;
  const { calls, shown } = run('iptables -L -n -v -x --line-numbers\nping -c 4 127.0.0.1\niptables -L -n -v -x --line-numbers', [
    streamOutput('stdout', text, 1),
  ]);
  assert.deepEqual(calls, ['display']);
  const payload = shown[0]![0]!.data as unknown as RulesPayload;
  assert.equal(payload.listings, 2);
  assert.deepEqual(payload.tables[0]!.chains[0]!.rules[0]!.delta, { packets: 4, bytes: 336 });
  assert.equal(shown[0]![1]!.data, text);
});

test('other output, other languages and truncated streams are left as they are', () => {
  assert.deepEqual(run('ps -ef', [streamOutput('stdout', 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 17:55 ? 00:00:01 /sbin/init\n', 1)]).calls, []);
  const text = fixture('nft-j-list-ruleset-lab.json');
  assert.deepEqual(run('nft -j list ruleset', [streamOutput('stdout', text, 1)], 'typescript').calls, []);
  const cut = streamOutput('stdout', text, 1);
  cut.truncated = { bytes: 100, lines: 2 };
  assert.deepEqual(run('nft -j list ruleset', [cut]).calls, ['display'], 'a truncated stream stays, with its note');
});
