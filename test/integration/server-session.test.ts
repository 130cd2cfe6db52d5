// probebook serve and the session host over a real HTTP server and real WebSocket clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../core/common/protocol.ts';
import { HostClient as Client, http } from '../support/host-client.ts';
import { startServe, type ServeHandle } from '../../core/node/commands/serve.ts';

interface Started {
  handle: ServeHandle;
  port: number;
  token: string;
  dir: string;
  cookie: string;
}

async function serve(t: { after(fn: () => unknown): void }, files: Record<string, string> = {}, extra: string[] = []): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-serve-'));
  const state = mkdtempSync(join(tmpdir(), 'pb-state-'));
  process.env.XDG_STATE_HOME = state;
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const handle = await startServe([dir, '--no-browser', '--allow-root', ...extra], sink, sink);
  assert.ok(typeof handle !== 'number', 'serve started');
  t.after(async () => {
    await handle.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });
  const url = new URL(handle.url);
  const token = url.searchParams.get('token')!;
  const login = await http(Number(url.port), `/?token=${token}`);
  const setCookie = login.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie : []).map((c) => c.split(';')[0]).join('; ');
  return { handle, port: Number(url.port), token, dir, cookie };
}

const notebookText = (cells: { source: string; id: string }[]) =>
  JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c) => ({ ...c, cell_type: 'code', metadata: {}, execution_count: null, outputs: [] })),
  });

test('the token is traded for a cookie; a missing or wrong token is refused', async (t) => {
  const s = await serve(t);
  assert.equal((await http(s.port, '/')).status, 401);
  assert.equal((await http(s.port, '/?token=wrong')).status, 403);
  const login = await http(s.port, `/?token=${s.token}&open=lab.ipynb`);
  assert.equal(login.status, 302);
  assert.equal(login.headers.location, '/?open=lab.ipynb', 'the token leaves the address bar');
  assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  assert.equal((await http(s.port, '/index.html', { headers: { Cookie: s.cookie } })).status !== 401, true);
  assert.equal((await http(s.port, '/', { headers: { Authorization: `token ${s.token}` } })).status !== 401, true);
});

test('foreign Host headers are refused (DNS rebinding), on HTTP and on the WebSocket', async (t) => {
  const s = await serve(t);
  assert.equal((await http(s.port, '/', { headers: { Host: `evil.example:${s.port}`, Cookie: s.cookie } })).status, 403);
  await assert.rejects(Client.connect(s, { Host: `evil.example:${s.port}` }), /refused: 403/);
});

test('a foreign Origin is refused on the WebSocket upgrade and on state-changing requests', async (t) => {
  const s = await serve(t);
  await assert.rejects(Client.connect(s, { Origin: 'http://evil.example' }), /refused: 403/);
  await assert.rejects(Client.connect(s, { Origin: `http://127.0.0.1:${s.port + 1}` }), /refused: 403/);
  await assert.rejects(Client.connect(s, { Cookie: '' }), /refused: 401/);
  const post = await http(s.port, '/api/shutdown', { method: 'POST', headers: { Cookie: s.cookie, Origin: 'http://evil.example' } });
  assert.equal(post.status, 403);
});

test('state-changing requests need the XSRF token', async (t) => {
  const s = await serve(t);
  const origin = `http://127.0.0.1:${s.port}`;
  assert.equal((await http(s.port, '/api/shutdown', { method: 'POST', headers: { Cookie: s.cookie, Origin: origin } })).status, 403);
  const xsrf = s.cookie
    .split('; ')
    .find((c) => c.startsWith('probebook_xsrf_'))!
    .split('=')[1]!;
  const ok = await http(s.port, '/api/shutdown', { method: 'POST', headers: { Cookie: s.cookie, Origin: origin, 'X-XSRF-Token': xsrf } });
  assert.equal(ok.status, 202);
  await s.handle.stopped;
});

test('files outside the page folder cannot be reached', async (t) => {
  const s = await serve(t);
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/outputs/../../package.json', '/%00']) {
    const res = await http(s.port, path, { headers: { Cookie: s.cookie } });
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body, /"name": "probebook"/);
  }
});

test("the output frames' own files load without the cookie, as a sandboxed frame asks for them; nothing else does", async (t) => {
  const s = await serve(t);
  // What Chromium sends for the script and styles of a plot frame (opaque origin): Origin: null, no cookie.
  for (const file of ['plot-frame.html', 'html-frame.html', 'output-frame.js', 'output-frame.css', 'plotly.min.js', 'plotly-cartesian.min.js']) {
    const res = await http(s.port, `/outputs/${file}`, { method: 'HEAD', headers: { Origin: 'null' } });
    assert.equal(res.status, 200, file);
    assert.equal((await http(s.port, `/outputs/${file}`, { method: 'HEAD' })).status, 200, `${file} without any Origin`);
    assert.equal(
      (await http(s.port, `/outputs/${file}`, { method: 'HEAD', headers: { Origin: 'http://evil.example' } })).status,
      403,
      `${file} for another site`,
    );
    assert.equal(
      (await http(s.port, `/outputs/${file}`, { method: 'HEAD', headers: { Host: `evil.example:${s.port}`, Origin: 'null' } })).status,
      403,
      `${file} under a foreign Host`,
    );
  }
  assert.match(
    (await http(s.port, '/outputs/plot-frame.html', { method: 'HEAD' })).headers['content-security-policy'] as string,
    /'unsafe-eval'/,
    'the frame CSP',
  );
  // Everything else still needs the cookie.
  for (const path of ['/', '/index.html', '/app.js', '/outputs/output-frame.js.map', '/outputs/', '/outputs/../index.html']) {
    assert.equal((await http(s.port, path, { method: 'HEAD', headers: { Origin: 'null' } })).status, 403, `${path} with Origin: null`);
    assert.equal((await http(s.port, path, { method: 'HEAD' })).status, 401, `${path} without the cookie`);
  }
  assert.equal((await http(s.port, '/outputs/plot-frame.html', { method: 'POST', headers: { Origin: 'null' } })).status, 403, 'only GET and HEAD');
});

test('serve as root starts without --allow-root and says once that it runs as root', async (t) => {
  if (process.geteuid?.() !== 0) return t.skip('runs as root only (it checks what serve says as root)');
  let said = '';
  const sink = { write: (s: string) => ((said += s), true) } as unknown as NodeJS.WritableStream;
  const dir = mkdtempSync(join(tmpdir(), 'pb-serve-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const started = await startServe([dir, '--no-browser'], sink, sink);
  assert.notEqual(typeof started, 'number', said);
  if (typeof started === 'number') return;
  t.after(() => started.stop());
  assert.equal(said.match(/running as root/g)?.length, 1, said);
  assert.match(said, /loopback only, behind its token/);
  assert.match(said, /Probebook is serving /);
  // The token still guards it.
  assert.equal((await fetch(`${new URL(started.url).origin}/`)).status, 401);
});

test("two windows on one notebook see each other's edits; a window opened mid-run gets the outputs so far", async (t) => {
  const s = await serve(t, { 'lab.ipynb': notebookText([{ id: 'a', source: 'echo one; sleep 0.8; echo two' }]) });
  const first = await Client.connect(s);
  const second = await Client.connect(s);
  first.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'browser' });
  assert.equal((await first.next('welcome')).runAs, 'root');
  first.send({ type: 'open_notebook', requestId: 'o1', path: 'lab.ipynb' });
  const opened = (await first.next('notebook_opened')).snapshot;
  second.send({ type: 'open_notebook', requestId: 'o2', path: 'lab.ipynb' });
  assert.equal((await second.next('notebook_opened')).snapshot.notebookId, opened.notebookId);

  first.send({
    type: 'edit',
    requestId: 'e1',
    notebookId: opened.notebookId,
    baseVersion: 0,
    edits: [{ kind: 'insert_cell', index: 1, cell: { id: 'b', cellType: 'code', source: 'echo b', metadata: {} } }],
  });
  const change = await second.next('notebook_changed');
  assert.equal(change.origin, 'e1');
  assert.deepEqual(
    change.edits.map((e) => e.kind),
    ['insert_cell'],
  );

  // Opened here, not yet trusted: the first run asks; trusting it lets it run.
  first.send({ type: 'execute_request', requestId: 'x0', notebookId: opened.notebookId, cellIds: ['a'] });
  assert.equal((await first.next('error', (m) => m.requestId === 'x0')).code, 'untrusted');
  first.send({ type: 'trust_request', requestId: 't1', notebookId: opened.notebookId });
  await first.next('pong');
  first.send({ type: 'execute_request', requestId: 'x1', notebookId: opened.notebookId, cellIds: ['a'] });
  await first.next('output', (m) => m.edit.kind === 'add');
  const third = await Client.connect(s);
  third.send({ type: 'open_notebook', requestId: 'o3', path: 'lab.ipynb' });
  const midRun = (await third.next('notebook_opened')).snapshot;
  assert.equal(midRun.cellStates.a!.status, 'running');
  assert.equal(midRun.notebook.cells[0]!.outputs[0]!.items[0]!.data, 'one\n');
  const ended = await third.next('execution_ended');
  assert.equal(ended.success, true);
  assert.equal(ended.requestId, 'x1');
  for (const c of [first, second, third]) c.close();
});

test('saving writes the file with outputs; reopening in a new session keeps them', async (t) => {
  const s = await serve(t, { 'lab.ipynb': notebookText([{ id: 'a', source: 'echo saved-output' }]) });
  const c = await Client.connect(s);
  c.send({ type: 'open_notebook', requestId: 'o', path: 'lab.ipynb' });
  const { notebookId } = (await c.next('notebook_opened')).snapshot;
  c.send({ type: 'trust_request', requestId: 't', notebookId });
  await c.next('pong');
  c.send({ type: 'execute_request', requestId: 'x', notebookId, cellIds: ['a'] });
  await c.next('execution_ended');
  c.send({ type: 'save_request', requestId: 's', notebookId });
  assert.equal((await c.next('saved')).path, 'lab.ipynb');
  const file = JSON.parse(readFileSync(join(s.dir, 'lab.ipynb'), 'utf8'));
  assert.deepEqual(file.cells[0].outputs[0].text, ['saved-output\n']);
  c.close();
  await s.handle.stop();
  const again = await serve(t, { 'lab.ipynb': readFileSync(join(s.dir, 'lab.ipynb'), 'utf8') });
  const d = await Client.connect(again);
  d.send({ type: 'open_notebook', requestId: 'o', path: 'lab.ipynb' });
  const snap = (await d.next('notebook_opened')).snapshot;
  assert.equal(snap.notebook.cells[0]!.outputs[0]!.items[0]!.data, 'saved-output\n');
  d.close();
});

test('a malformed notebook is refused with the parse error and its file stays byte-identical', async (t) => {
  const broken = '{"cells": [ {"cell_type": "code"  "source": ""} ]}';
  const s = await serve(t, { 'broken.ipynb': broken });
  const c = await Client.connect(s);
  c.send({ type: 'open_notebook', requestId: 'o', path: 'broken.ipynb' });
  const error = await c.next('error');
  assert.equal(error.code, 'parse_error');
  assert.match(error.message, /broken\.ipynb:1:35: is not valid JSON/);
  assert.equal(readFileSync(join(s.dir, 'broken.ipynb'), 'utf8'), broken);
  c.close();
});

test('hostile messages are refused at the edge and paths outside the folder are forbidden', async (t) => {
  const s = await serve(t);
  const c = await Client.connect(s);
  const hostile: unknown[] = [
    { type: 'exec_shell', cmd: 'id' },
    { type: 'open_notebook', requestId: 'r', path: 42 },
    { type: 'edit', requestId: 'r', notebookId: 'n', baseVersion: 0, edits: [{ kind: 'set_source', cellId: 'a', source: 'x'.repeat(5 * 1024 * 1024) }] },
    { type: 'execute_request', requestId: 'r', notebookId: 'n', cellIds: 'all' },
    'not an object',
  ];
  for (const message of hostile) {
    c.send(message as object);
    assert.equal((await c.next('error')).code, 'bad_message');
  }
  c.send({ type: 'open_notebook', requestId: 'p', path: '../../etc/passwd' });
  assert.equal((await c.next('error', (m) => m.requestId === 'p')).code, 'forbidden');
  c.send({ type: 'list_directory', requestId: 'l', path: '/etc' });
  assert.equal((await c.next('error', (m) => m.requestId === 'l')).code, 'forbidden');
  c.close();
});
