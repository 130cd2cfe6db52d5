import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { within } from '../../../test/support/within.ts';
import { Watchdogs } from './watchdogs.ts';

/** Resolves with the first exit a watchdog asks for. */
function watch(): { dogs: Watchdogs; exited: Promise<{ reason: string; code: number }> } {
  let done!: (value: { reason: string; code: number }) => void;
  const exited = new Promise<{ reason: string; code: number }>((resolve) => (done = resolve));
  return { dogs: new Watchdogs((reason, code) => done({ reason, code })), exited };
}

test('exits at once when the app process it should watch does not exist', async () => {
  const { dogs, exited } = watch();
  const gone = spawnSync('true').pid!; // ended and reaped
  dogs.parent(gone);
  assert.deepEqual(await within(exited, 5000, 'the exit'), { reason: `the app's process ${gone} does not exist`, code: 1 });
  dogs.stop();
});

test('exits when kernel_hello does not arrive in time', async () => {
  const { dogs, exited } = watch();
  dogs.helloWithin(20, () => false);
  assert.deepEqual(await within(exited, 5000, 'the exit'), { reason: 'no kernel_hello arrived', code: 1 });
  dogs.stop();
});

test('exits when heartbeats stop, saying for how long none came', async () => {
  const { dogs, exited } = watch();
  dogs.heartbeats(20);
  const { reason, code } = await within(exited, 5000, 'the exit').finally(() => dogs.stop());
  assert.equal(code, 1);
  assert.match(reason, /^missed heartbeat \(none for \d+ ms\)$/);
});
