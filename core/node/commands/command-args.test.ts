import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { readCommandArgs, UsageError } from './command-args.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr') => ({ write: (text: string) => ((out[key] += text), true) }) as unknown as NodeJS.WritableStream;
  return { out, io: { stdout: stream('stdout'), stderr: stream('stderr') } };
}

const parse = (argv: string[]) => () => {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.json && argv.length > 1) throw new UsageError('--json stands alone');
  return { ...values };
};

test('a subcommand gets its arguments, prints its usage on --help (0), and says what is wrong before the usage on bad usage (2)', () => {
  const ok = io();
  assert.deepEqual(readCommandArgs('doctor', 'Usage: probebook doctor', ok.io, parse(['--json'])), { json: true });
  assert.deepEqual(ok.out, { stdout: '', stderr: '' });

  const help = io();
  assert.equal(readCommandArgs('doctor', 'Usage: probebook doctor', help.io, parse(['-h'])), 0);
  assert.deepEqual(help.out, { stdout: 'Usage: probebook doctor\n', stderr: '' });

  const unknown = io();
  assert.equal(readCommandArgs('doctor', 'Usage: probebook doctor', unknown.io, parse(['--jsno'])), 2);
  assert.match(unknown.out.stderr, /^probebook doctor: Unknown option '--jsno'[\s\S]*\n\nUsage: probebook doctor\n$/);

  const own = io();
  assert.equal(readCommandArgs('doctor', 'Usage: probebook doctor', own.io, parse(['--json', '--json'])), 2);
  assert.equal(own.out.stderr, 'probebook doctor: --json stands alone\n\nUsage: probebook doctor\n');
});
