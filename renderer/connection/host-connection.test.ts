import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, type ClientMessage, type HostMessage } from '../../core/common/protocol.ts';
import { ConnectionLostError, HostConnection, HostRequestError } from './host-connection.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** A host on the other end of an in-memory transport: answers hello, records what it got. */
class FakeLink implements Transport {
  readonly kind = 'websocket';
  handlers: TransportHandlers | null = null;
  readonly sent: ClientMessage[] = [];
  constructor(
    private readonly host: FakeHost,
    private readonly refuse: boolean,
  ) {}
  async open(handlers: TransportHandlers): Promise<void> {
    if (this.refuse) throw new Error('connection refused');
    this.handlers = handlers;
  }
  send(message: ClientMessage): void {
    this.sent.push(message);
    this.host.received(this, message);
  }
  close(): void {
    this.handlers = null;
  }
  /** The host sends a message to the page. */
  push(message: HostMessage): void {
    this.handlers?.message(message);
  }
  /** The link breaks. */
  drop(reason = 'gone'): void {
    const h = this.handlers;
    this.handlers = null;
    h?.closed(reason);
  }
}

class FakeHost {
  links: FakeLink[] = [];
  refuseNext = 0;
  sessions = 0;
  onRequest: (link: FakeLink, message: ClientMessage) => void = () => undefined;
  factory = (): Transport => {
    const refuse = this.refuseNext > 0;
    if (refuse) this.refuseNext--;
    const link = new FakeLink(this, refuse);
    this.links.push(link);
    return link;
  };
  get link(): FakeLink {
    return this.links.at(-1)!;
  }
  received(link: FakeLink, message: ClientMessage): void {
    if (message.type === 'hello') {
      this.sessions++;
      queueMicrotask(() => link.push({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, sessionId: `s${this.sessions}`, runAs: 'root', root: '/labs' }));
      return;
    }
    this.onRequest(link, message);
  }
}

function connect(host: FakeHost): HostConnection {
  return new HostConnection(host.factory, { client: 'browser', initialDelayMs: 5, maxDelayMs: 20 });
}

function nextStatus(c: HostConnection, want: string): Promise<void> {
  return new Promise((resolve) => {
    const off = c.onStatus((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

test('says hello and resolves with the host welcome', async () => {
  const host = new FakeHost();
  const c = connect(host);
  const welcome = await c.start();
  assert.equal(welcome.runAs, 'root');
  assert.equal(c.status, 'open');
  assert.deepEqual(host.link.sent[0], { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'browser' });
  c.close();
});

test('matches replies to requests by requestId, and errors reject with their code', async () => {
  const host = new FakeHost();
  host.onRequest = (link, m) => {
    if (m.type === 'list_directory') {
      // An unrelated reply first: it must not resolve this request.
      link.push({ type: 'directory_listing', requestId: 'someone-else', path: 'x', entries: [] });
      link.push({ type: 'directory_listing', requestId: m.requestId, path: m.path, entries: [{ name: 'lab.ipynb', kind: 'file' }] });
    }
    if (m.type === 'open_notebook') link.push({ type: 'error', requestId: m.requestId, code: 'not_found', message: 'no such file: nope.ipynb' });
  };
  const c = connect(host);
  await c.start();
  const listing = await c.request({ type: 'list_directory', path: 'labs' });
  assert.equal(listing.path, 'labs');
  assert.equal(listing.entries[0]!.name, 'lab.ipynb');
  await assert.rejects(
    c.request({ type: 'open_notebook', path: 'nope.ipynb' }),
    (e: unknown) => e instanceof HostRequestError && e.code === 'not_found' && /nope\.ipynb/.test(e.message),
  );
  c.close();
});

test('an edit resolves with the notebook_changed whose origin is its requestId', async () => {
  const host = new FakeHost();
  host.onRequest = (link, m) => {
    if (m.type === 'edit') link.push({ type: 'notebook_changed', notebookId: m.notebookId, version: 7, edits: m.edits, origin: m.requestId });
  };
  const c = connect(host);
  await c.start();
  const changed = await c.request({ type: 'edit', notebookId: 'n1', baseVersion: 6, edits: [{ kind: 'set_source', cellId: 'c1', source: 'ls' }] });
  assert.equal(changed.version, 7);
  c.close();
});

test("an execution future streams its own messages and ends on its execute_reply, with the run's summary", async () => {
  const host = new FakeHost();
  let runRequestId = '';
  host.onRequest = (_link, m) => {
    if (m.type === 'execute_request') runRequestId = m.requestId;
  };
  const c = connect(host);
  await c.start();
  const future = c.execute({ notebookId: 'n1', cellIds: ['a', 'b'] });
  const seen: string[] = [];
  future.onMessage((m) => seen.push(`${m.type}:${m.cellId}`));
  const link = host.link;
  const base = { requestId: runRequestId, notebookId: 'n1' };
  link.push({ ...base, type: 'execution_state', cellId: 'a', state: 'running' });
  link.push({ ...base, requestId: 'other-run', type: 'output', cellId: 'z', edit: { kind: 'clear' } });
  link.push({ ...base, type: 'output', cellId: 'a', edit: { kind: 'append', outputId: 'o1', text: 'hi\n' } });
  link.push({ ...base, type: 'execution_ended', cellId: 'a', status: 'ok', success: true, durationMs: 5, stopped: false });
  link.push({ ...base, type: 'execution_ended', cellId: 'b', status: 'failed', success: false, durationMs: 3, stopped: false });
  assert.equal(future.isDone, false, 'every cell ended, but the reply has not come');
  const summary = {
    ok: false,
    interrupted: false,
    failedCellId: 'b',
    cells: [
      { cellId: 'a', status: 'ok' as const, success: true, durationMs: 5, ran: true },
      { cellId: 'b', status: 'failed' as const, success: false, durationMs: 3, ran: true },
    ],
  };
  link.push({ ...base, requestId: 'other-run', type: 'execute_reply', summary: { ok: true, interrupted: false, cells: [] } });
  assert.equal(future.isDone, false, "another request's reply does not end it");
  link.push({ ...base, type: 'execute_reply', summary });
  assert.deepEqual(await future.done, summary);
  assert.deepEqual(seen, ['execution_state:a', 'output:a', 'execution_ended:a', 'execution_ended:b']);
  // Nothing for the request follows its end.
  link.push({ ...base, type: 'output', cellId: 'a', edit: { kind: 'clear' } });
  assert.equal(seen.length, 4);
  c.close();
});

test('a Run All future, which does not know its cells, ends on its execute_reply too', async () => {
  const host = new FakeHost();
  let id = '';
  host.onRequest = (_l, m) => m.type === 'execute_request' && (id = m.requestId);
  const c = connect(host);
  await c.start();
  const future = c.execute({ notebookId: 'n1', cellIds: [], runAll: true });
  const base = { requestId: id, notebookId: 'n1' };
  host.link.push({ ...base, type: 'execution_state', cellId: 'a', state: 'queued' });
  host.link.push({ ...base, type: 'execution_ended', cellId: 'a', status: 'ok', success: true, durationMs: 1, stopped: false });
  assert.equal(future.isDone, false, 'a Run All whose first cell ended is not over');
  host.link.push({ ...base, type: 'execution_state', cellId: 'b', state: 'queued' });
  host.link.push({ ...base, type: 'execution_ended', cellId: 'b', status: 'ok', success: true, durationMs: 1, stopped: false });
  host.link.push({ ...base, type: 'execute_reply', summary: { ok: true, interrupted: false, cells: [] } });
  assert.equal((await future.done).ok, true);
  c.close();
});

test('a refused execution rejects its future with the host error', async () => {
  const host = new FakeHost();
  host.onRequest = (link, m) => {
    if (m.type === 'execute_request') link.push({ type: 'error', requestId: m.requestId, code: 'untrusted', message: 'review its root cells' });
  };
  const c = connect(host);
  await c.start();
  const future = c.execute({ notebookId: 'n1', cellIds: ['a'] });
  await assert.rejects(future.done, (e: unknown) => e instanceof HostRequestError && e.code === 'untrusted');
  c.close();
});

test('a lost link fails pending requests, reconnects with backoff and says so', async () => {
  const host = new FakeHost();
  const c = connect(host);
  await c.start();
  const pending = c.request({ type: 'ping' });
  const reconnected = new Promise<string>((resolve) => c.onReconnected((w) => resolve(w.sessionId)));
  host.refuseNext = 2; // the host is down for two attempts
  const reconnecting = nextStatus(c, 'reconnecting');
  host.link.drop('server restarted');
  await assert.rejects(pending, (e: unknown) => e instanceof ConnectionLostError && /server restarted/.test(e.message));
  await reconnecting;
  assert.throws(() => c.send({ type: 'interrupt_request', notebookId: 'n1' }), ConnectionLostError);
  assert.equal(await reconnected, 's2');
  assert.equal(host.links.length, 4, 'first link, two refused attempts, the working one');
  assert.equal(c.status, 'open');
  c.close();
});

test('a first connection that fails rejects with the reason and keeps retrying', async () => {
  const host = new FakeHost();
  host.refuseNext = 1;
  const c = connect(host);
  await assert.rejects(c.start(), /connection refused/);
  assert.equal(c.status, 'reconnecting');
  await new Promise<void>((resolve) => c.onReconnected(() => resolve()));
  assert.equal(c.status, 'open');
  c.close();
});

test('a protocol version mismatch stops retrying and tells the user to reload', async () => {
  const host = new FakeHost();
  host.received = (link, m) => {
    if (m.type === 'hello')
      queueMicrotask(() => link.push({ type: 'error', code: 'version_mismatch', message: 'This page speaks protocol 0: reload the page.' }));
  };
  const c = connect(host);
  await assert.rejects(c.start(), /reload the page/);
  assert.equal(c.status, 'failed');
  c.close();
});

test('a first request may follow the hello at once, before the welcome arrives', async () => {
  const host = new FakeHost();
  host.onRequest = (link, m) => {
    if (m.type === 'open_notebook') link.push({ type: 'error', requestId: m.requestId, code: 'not_found', message: 'no lab.ipynb' });
  };
  const c = connect(host);
  const welcome = c.start();
  await c.whenHelloSent();
  const opened = c.request({ type: 'open_notebook', path: 'lab.ipynb' });
  assert.deepEqual(
    host.link.sent.map((m) => m.type),
    ['hello', 'open_notebook'],
    'sent before the welcome came back',
  );
  await welcome;
  await assert.rejects(opened, /no lab\.ipynb/);
  c.close();
});

test('a link greeted before the connection had it (the early link) gets no second hello, and replyTo takes the answer to its request', async () => {
  const host = new FakeHost();
  const opened = { type: 'notebook_opened', requestId: 'boot-1' } as unknown as HostMessage;
  // As boot.js leaves it: hello and open_notebook sent, their answers waiting to be handed over.
  const early = (): Transport => {
    const link = new FakeLink(host, false);
    host.links.push(link);
    Object.assign(link, { greeted: true });
    // Handed over as the WebSocket transport does: right after open(), before the connection has
    // even asked for its welcome.
    link.open = (handlers) => {
      link.handlers = handlers;
      queueMicrotask(() => {
        link.push({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, sessionId: 's0', runAs: 'root', root: '/labs' });
        link.push(opened);
      });
      return Promise.resolve();
    };
    return link;
  };
  let first = true;
  const c = new HostConnection(() => (first ? ((first = false), early()) : host.factory()), { client: 'browser', initialDelayMs: 5, maxDelayMs: 20 });
  const welcome = c.start();
  const reply = c.replyTo('open_notebook', 'boot-1');
  assert.equal((await welcome).sessionId, 's0');
  assert.equal(await reply, opened);
  assert.deepEqual(host.links[0]!.sent, [], 'no second hello on the early link');

  // Lost before its answer came: it fails like any request, and the next link says hello itself.
  const lost = c.replyTo('open_notebook', 'boot-2');
  host.links[0]!.drop('server restarted');
  await assert.rejects(lost, ConnectionLostError);
  await new Promise<void>((resolve) => c.onReconnected(() => resolve()));
  assert.equal(host.link.sent[0]!.type, 'hello');
  c.close();
});

test('an early link whose hello was refused for its protocol version fails like any hello', async () => {
  const host = new FakeHost();
  const c = new HostConnection(
    () => {
      const link = new FakeLink(host, false);
      Object.assign(link, { greeted: true });
      link.open = (handlers) => {
        link.handlers = handlers;
        queueMicrotask(() => link.push({ type: 'error', code: 'version_mismatch', message: 'This page speaks protocol 0: reload the page.' }));
        return Promise.resolve();
      };
      return link;
    },
    { client: 'browser', initialDelayMs: 5, maxDelayMs: 20, helloTimeoutMs: 2000 },
  );
  await assert.rejects(c.start(), /reload the page/);
  assert.equal(c.status, 'failed');
  c.close();
});
