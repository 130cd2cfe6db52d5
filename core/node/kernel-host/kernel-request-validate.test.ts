import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequest, MAX_CODE_BYTES, MAX_REQUEST_LINE_BYTES, parseKernelRequestLine } from './kernel-request-validate.ts';

const execute = {
  type: 'kernel_execute_request',
  requestId: 'r1',
  notebookKey: 'nb',
  notebookPath: '/labs/a.ipynb',
  cellId: 'c1',
  language: 'shell',
  code: 'id -u',
  cwd: '/tmp',
  env: { IFACE: 'veth0' },
  args: [],
};

const rejects = (value: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseKernelRequestLine(typeof value === 'string' ? value : JSON.stringify(value)),
    (e: unknown) => e instanceof BadRequest && pattern.test(e.message),
  );

test('accepts a well-formed execute request and keeps its fields', () => {
  const request = parseKernelRequestLine(JSON.stringify({ ...execute, timeoutMs: 5000, asUser: true, graceMs: 100, streamLimitBytes: 4096 }));
  assert.deepEqual(request, { ...execute, timeoutMs: 5000, asUser: true, graceMs: 100, streamLimitBytes: 4096 });
});

test('rejects unknown types, unknown fields and non-objects', () => {
  rejects({ type: 'kernel_spawn_shell', requestId: 'x' }, /unknown request type/);
  rejects({ ...execute, uid: 0 }, /unknown field "uid"/);
  rejects('[1,2]', /not a JSON object/);
  rejects('{"type":', /not JSON/);
  rejects({ type: '__proto__' }, /unknown request type/);
});

test('rejects bad fields with the field named', () => {
  rejects({ ...execute, language: 'python' }, /unknown language/);
  rejects({ ...execute, streamLimitBytes: -1 }, /streamLimitBytes/);
  rejects({ ...execute, streamLimitBytes: 1.5 }, /streamLimitBytes/);
  rejects({ ...execute, cwd: 'relative/dir' }, /cwd must be an absolute path/);
  rejects({ ...execute, env: { 'A-B': 'x' } }, /not a valid variable name/);
  rejects({ ...execute, env: { A: 1 } }, /env\.A must be a string/);
  rejects({ ...execute, args: 'x' }, /args must be an array/);
  rejects({ ...execute, requestId: '' }, /requestId must be a non-empty string/);
  rejects({ ...execute, timeoutMs: -1 }, /timeoutMs must be an integer/);
  rejects({ ...execute, asUser: 'yes' }, /asUser must be true or false/);
  rejects({ ...execute, code: 'a\0b' }, /code must be a string without NUL/);
  rejects({ type: 'kernel_interrupt_request', requestId: 'i', targetRequestId: 'r1', reason: 'kill-everything' }, /reason must be/);
  rejects({ type: 'kernel_interrupt_request', requestId: 'i', targetRequestId: 'r1', force: 'yes' }, /force must be true/);
  assert.deepEqual(
    parseKernelRequestLine(JSON.stringify({ type: 'kernel_interrupt_request', requestId: 'i', targetRequestId: 'r1', reason: 'interrupt', force: true })),
    { type: 'kernel_interrupt_request', requestId: 'i', targetRequestId: 'r1', reason: 'interrupt', force: true },
  );
  rejects({ type: 'kernel_hello', protocolVersion: 1, heartbeatMs: 1 }, /heartbeatMs must be an integer from 50/);
});

test('refuses env that changes what root loads', () => {
  for (const name of ['LD_PRELOAD', 'BASH_ENV', 'NODE_OPTIONS', 'PROBEBOOK_CELL_RUN', 'BASH_FUNC_ls%%']) {
    assert.throws(() => parseKernelRequestLine(JSON.stringify({ ...execute, env: { [name]: 'x' } })), BadRequest, name);
  }
});

test("refuses env that changes which program root runs, with the parameters' list, and says why", () => {
  rejects({ ...execute, env: { PATH: '.' } }, /env may not set PATH \(it chooses which programs run\)/);
  for (const name of ['LD_DEBUG_OUTPUT', 'PYTHONHOME', 'PERL5DB', 'RUBYLIB', 'GIT_SSH_COMMAND', 'HOME', 'IFS', 'GCONV_PATH', 'BPFTRACE_KERNEL_BUILD']) {
    rejects({ ...execute, env: { IFACE: 'lo', [name]: 'x' } }, new RegExp(`env may not set ${name} \\(`));
  }
  const ok = parseKernelRequestLine(JSON.stringify({ ...execute, env: { IFACE: 'lo', N: '3', SECONDS: '1', LAB_PATH: '.' } }));
  assert.equal(ok.type === 'kernel_execute_request' && ok.env.LAB_PATH, '.');
});

test('enforces size limits', () => {
  rejects({ ...execute, code: 'x'.repeat(MAX_CODE_BYTES + 1) }, /code must be a string without NUL of at most/);
  rejects({ ...execute, args: Array.from({ length: 300 }, () => 'a') }, /at most 256/);
  rejects(`"${'x'.repeat(MAX_REQUEST_LINE_BYTES)}"`, /exceeds the .*-byte limit/);
});

test('a rejected request still names its requestId so the error can answer it', () => {
  try {
    parseKernelRequestLine(JSON.stringify({ ...execute, language: 'cobol' }));
    assert.fail('accepted');
  } catch (error) {
    assert.equal((error as BadRequest).requestId, 'r1');
  }
});

test("a notebook call's result is a snapshot object or an error text, nothing else", () => {
  const value = { name: 'measure', status: 'ok', stdout: '{"n":1}\n', stderr: '', maps: {}, outputs: [] };
  assert.deepEqual(parseKernelRequestLine(JSON.stringify({ type: 'kernel_notebook_result', callId: 'k1', value })), {
    type: 'kernel_notebook_result',
    callId: 'k1',
    value,
  });
  assert.deepEqual(parseKernelRequestLine(JSON.stringify({ type: 'kernel_notebook_result', callId: 'k1', error: 'no cell is named "x"' })), {
    type: 'kernel_notebook_result',
    callId: 'k1',
    error: 'no cell is named "x"',
  });
  rejects({ type: 'kernel_notebook_result', callId: 'k1' }, /value must be an object/);
  rejects({ type: 'kernel_notebook_result', callId: 'k1', value: [1] }, /value must be an object/);
  rejects({ type: 'kernel_notebook_result', callId: 'k1', error: 42 }, /error must be a string/);
  rejects({ type: 'kernel_notebook_result', callId: '', value }, /callId must be/);
  rejects({ type: 'kernel_notebook_result', callId: 'k1', value, code: 'id' }, /unknown field "code"/);
});

test("an execute request's ready is a port and an absolute path, nothing else", () => {
  const ready = { port: { protocol: 'udp', port: 53 }, file: '/run/lab/ready' };
  assert.deepEqual(parseKernelRequestLine(JSON.stringify({ ...execute, ready })), { ...execute, ready });
  rejects({ ...execute, ready: {} }, /ready must give port or file/);
  rejects({ ...execute, ready: { output: 'x' } }, /ready: unknown field "output"/);
  rejects({ ...execute, ready: { port: { protocol: 'sctp', port: 80 } } }, /ready\.port\.protocol must be tcp or udp/);
  rejects({ ...execute, ready: { port: { protocol: 'tcp', port: 70000 } } }, /ready\.port\.port must be an integer 1-65535/);
  rejects({ ...execute, ready: { port: { protocol: 'tcp', port: 80, host: 'x' } } }, /ready\.port must be \{ protocol, port \}/);
  rejects({ ...execute, ready: { file: 'relative/path' } }, /ready\.file must be an absolute path/);
  rejects({ ...execute, ready: { file: '/a\0b' } }, /ready\.file must be an absolute path/);
  rejects({ ...execute, ready: 'port 80' }, /ready must be an object/);
});
