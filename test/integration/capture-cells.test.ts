/**
 * Binary stdout end to end through `probebook run` and its kernel host: a live tcpdump capture
 * (`tcpdump -U -w -`) becomes a packet view whose bytes are the capture, saved beside the notebook
 * and readable by tshark; a capture cut short says so; binary output that is no capture stays bytes,
 * saved, with a hex preview, instead of mangled text.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { repoRoot } from '../support/root.ts';
import type { PacketsPayload } from '../../core/common/packets/payload.ts';

const cli = join(repoRoot, 'bin/probebook.mjs');

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-capture-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface SavedOutput {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  text?: string | string[];
}

async function run(t: TestContext, cells: { source: string }[]): Promise<{ dir: string; outputs: SavedOutput[][]; stderr: string }> {
  const dir = folder(t);
  writeNotebook(dir, 'lab.ipynb', cells);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  const result = await execa(process.execPath, [cli, 'run', 'lab.ipynb', '--out', 'out.ipynb', '-q', '--allow-errors'], {
    cwd: dir,
    env: { ...env, XDG_STATE_HOME: join(dir, '.state') },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  assert.ok(existsSync(join(dir, 'out.ipynb')), result.stderr);
  const saved = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8')) as { cells: { outputs: SavedOutput[] }[] };
  return { dir, outputs: saved.cells.map((c) => c.outputs), stderr: result.stderr };
}

const text = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));

test('a live tcpdump -w - capture becomes a packet view: the capture saved beside the notebook, embedded, counted as tshark counts it', async (t) => {
  if (!needs(t, { root: true, tools: ['tcpdump', 'tshark'] })) return;
  const port = 20000 + (process.pid % 20000);
  const source = [
    `tcpdump -i lo -U -w - -c 6 -nn udp port ${port} 2>tcpdump.err &`,
    'pid=$!',
    // The cell waits for tcpdump to listen before it sends, as a lab would.
    'until grep -q "listening on" tcpdump.err 2>/dev/null; do sleep 0.02; done',
    `for i in 1 2 3 4 5 6; do echo "datagram $i" > /dev/udp/127.0.0.1/${port}; done`,
    'wait $pid',
  ].join('\n');
  const { dir, outputs } = await run(t, [{ source }]);
  const cell = outputs[0]!;
  assert.equal(cell.filter((o) => o.output_type === 'stream' && o.name === 'stdout').length, 0, 'no capture bytes as mangled text');
  const view = cell.find((o) => o.data?.['application/vnd.probebook.packets+json']);
  assert.ok(view, JSON.stringify(cell).slice(0, 500));
  const payload = view.data!['application/vnd.probebook.packets+json'] as PacketsPayload;
  assert.equal(payload.source, 'capture');
  assert.equal(payload.live, false);
  assert.equal(payload.count, 6);
  assert.deepEqual(payload.problems, []);
  assert.equal(payload.capture!.format, 'pcap');
  assert.match(payload.capture!.file!, /^lab\.captures\/c0000000-\d{8}T\d{6}Z\.pcap$/);
  const file = join(dir, payload.capture!.file!);
  const bytes = readFileSync(file);
  assert.equal(payload.capture!.bytes, bytes.length);
  assert.deepEqual(Buffer.from(payload.capture!.base64, 'base64'), bytes, 'the notebook holds the whole capture');
  const tshark = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'udp.dstport'], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(tshark, Array(6).fill(String(port)), 'the saved file is the capture, as tshark reads it');
  const plain = text(view.data!['text/plain']);
  assert.match(plain, /^pcap: 6 packets, /);
  assert.equal(plain.match(new RegExp(`127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP`, 'g'))?.length, 6, plain);
});

test('a capture cut short and binary output that is no capture: said plainly, the bytes kept', async (t) => {
  if (!needs(t, { root: true })) return;
  const sample = join(repoRoot, '../shared/reference/samples/tcpdump-usec.pcap');
  const cut = readFileSync(sample).length - 7;
  const { dir, outputs } = await run(t, [{ source: `head -c ${cut} ${sample}` }, { source: 'cat /bin/true' }]);
  const capture = outputs[0]!.find((o) => o.data?.['application/vnd.probebook.packets+json'])!;
  const payload = capture.data!['application/vnd.probebook.packets+json'] as PacketsPayload;
  assert.equal(payload.capture!.bytes, cut);
  assert.match(payload.problems.join('\n'), /ends in the middle of a record/);
  assert.ok(payload.count > 0);

  const binary = outputs[1]!;
  assert.equal(binary.filter((o) => o.output_type === 'stream' && o.name === 'stdout').length, 0);
  const note = text(binary.find((o) => o.data?.['text/plain'])!.data!['text/plain']);
  assert.match(note, /^\[binary output: [\d,]+ bytes, not text and not a pcap\/pcapng capture; saved as lab\.captures\/c0000001-\S+\.bin\]/);
  assert.match(note, /\n00000000 {2}7f 45 4c 46 /, 'a hex preview: the ELF magic');
  const saved = /saved as (\S+)\]/.exec(note)![1]!;
  assert.deepEqual(readFileSync(join(dir, saved)), readFileSync('/bin/true'));
});
