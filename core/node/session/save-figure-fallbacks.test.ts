/**
 * A save in the app puts a PNG beside each figure (docs/export.md): a real TypeScript plot() cell
 * run by the session host, saved, and the file read back: the PNG is there and the notebook still
 * opens trusted in another host.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostMessage } from '../../common/protocol.ts';
import { needs } from '../../../test/support/needs.ts';
import { createLocalExecutor } from '../run/local-executor.ts';
import { ServedRoot } from './served-root.ts';
import { type Connection, SessionHost } from './session-host.ts';
import { TrustStore } from './trust.ts';

/** A window that answers `reply(type)` with the first message of that type, now or when it comes. */
function window(): Connection & { say(m: object): void; reply<T extends HostMessage['type']>(type: T): Promise<Extract<HostMessage, { type: T }>> } {
  const seen: HostMessage[] = [];
  const waiting: { type: string; resolve: (m: HostMessage) => void }[] = [];
  let listener: (raw: unknown) => void = () => undefined;
  return {
    send(message) {
      seen.push(message);
      for (const w of waiting.splice(0))
        if (w.type === message.type) w.resolve(message);
        else waiting.push(w);
    },
    onMessage: (l) => (listener = l),
    onClose: () => undefined,
    say: (m) => listener(m),
    reply: (type) =>
      new Promise((resolve) => {
        const found = seen.find((m) => m.type === type);
        if (found) resolve(found as never);
        else waiting.push({ type, resolve: resolve as (m: HostMessage) => void });
      }),
  };
}

async function host(dir: string): Promise<SessionHost> {
  const state = join(dir, '.state');
  return new SessionHost({
    root: await ServedRoot.open(dir),
    executor: async () => createLocalExecutor(),
    runAs: 'root',
    trust: new TrustStore(state),
    stateDir: state,
  });
}

test('saving a trusted notebook puts a PNG beside each figure and the file still opens trusted', async (t) => {
  if (!needs(t, { check: () => (existsSync('/usr/bin/chromium') ? null : 'Chromium at /usr/bin/chromium (apt install chromium)') })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-save-fallbacks-'));
  const path = join(dir, 'lab.ipynb');
  const source = "%%typescript\nplot([{ type: 'bar', x: ['a', 'b'], y: [2, 1] }]);";
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: 'p', cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null }],
    }),
  );
  const first = await host(dir);
  t.after(async () => {
    await first.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const w = window();
  first.attach(w);
  w.say({ type: 'open_notebook', requestId: 'o', path: 'lab.ipynb' });
  const { notebookId } = (await w.reply('notebook_opened')).snapshot;
  w.say({ type: 'trust_request', requestId: 't', notebookId });
  await w.reply('pong');
  w.say({ type: 'execute_request', requestId: 'x', notebookId, cellIds: ['p'] });
  assert.equal((await w.reply('execute_reply')).summary.ok, true);
  w.say({ type: 'save_request', requestId: 's', notebookId });
  await w.reply('saved');
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  const bundle = saved.cells[0].outputs.find((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.plotly.v1+json'])?.data;
  assert.match(String(bundle?.['image/png']), /^iVBOR/);

  const second = await host(dir);
  t.after(() => second.dispose());
  const w2 = window();
  second.attach(w2);
  w2.say({ type: 'open_notebook', requestId: 'o2', path: 'lab.ipynb' });
  assert.equal((await w2.reply('notebook_opened')).snapshot.trusted, true);
});
