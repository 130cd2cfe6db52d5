import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../../test/support/needs.ts';
import { dissectPacket, readCapture } from './packet-dissection.ts';

const SAMPLE = join(import.meta.dirname, '../../../../shared/reference/samples/tcpdump-usec.pcap');

function lab(t: { after(fn: () => void): void }): { dir: string; notebook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pb-dissect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'lab.captures'));
  copyFileSync(SAMPLE, join(dir, 'lab.captures', 'c1.pcap'));
  return { dir, notebook: join(dir, 'lab.ipynb') };
}

test('only a .pcap/.pcapng inside the notebook folder is dissected: the path comes from the page and the outputs', async (t) => {
  const { dir, notebook } = lab(t);
  const outside = mkdtempSync(join(tmpdir(), 'pb-outside-'));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  copyFileSync(SAMPLE, join(outside, 'secret.pcap'));
  symlinkSync(join(outside, 'secret.pcap'), join(dir, 'lab.captures', 'link.pcap'));
  writeFileSync(join(dir, 'notes.txt'), 'not a capture');
  await assert.rejects(dissectPacket(null, 'lab.captures/c1.pcap', 1), /no folder yet/);
  await assert.rejects(dissectPacket(notebook, join(outside, 'secret.pcap'), 1), /not a capture beside the notebook/);
  await assert.rejects(dissectPacket(notebook, `../${outside.split('/').pop()}/secret.pcap`, 1), /outside the notebook's folder/);
  await assert.rejects(dissectPacket(notebook, 'lab.captures/link.pcap', 1), /outside the notebook's folder/, 'a link out is followed and refused');
  await assert.rejects(dissectPacket(notebook, 'notes.txt', 1), /not a capture/);
  await assert.rejects(dissectPacket(notebook, 'lab.captures/gone.pcap', 1), /not there any more/);
  await assert.rejects(dissectPacket(notebook, 'lab.captures/c1.pcap', 0), /numbered from 1/);
});

test("tshark's -V of one packet of the capture beside the notebook", async (t) => {
  if (!needs(t, { tools: ['tshark'] })) return;
  const { notebook } = lab(t);
  const text = await dissectPacket(notebook, 'lab.captures/c1.pcap', 2);
  assert.match(text, /^Frame 2: \d+ bytes on wire/m);
  assert.doesNotMatch(text, /^Frame 1:/m, 'that packet only');
  await assert.rejects(dissectPacket(notebook, 'lab.captures/c1.pcap', 100_000), /found no packet 100000/);
});

test('readCapture reads the capture from an offset, says when it ended, and is confined like the dissection', async (t) => {
  const { notebook } = lab(t);
  const whole = readFileSync(SAMPLE);
  const first = await readCapture(notebook, 'lab.captures/c1.pcap', 0, 100);
  assert.deepEqual(first.bytes, whole.subarray(0, 100));
  assert.equal(first.eof, false);
  const rest = await readCapture(notebook, 'lab.captures/c1.pcap', 100, 10 * 1024 * 1024);
  assert.deepEqual(rest.bytes, whole.subarray(100), 'up to the end (asked for more than there is)');
  assert.equal(rest.eof, true);
  assert.deepEqual(await readCapture(notebook, 'lab.captures/c1.pcap', whole.length + 5, 10), { bytes: Buffer.alloc(0), eof: true });
  await assert.rejects(readCapture(notebook, '../../etc/passwd.pcap', 0, 10), /outside the notebook's folder|not there/);
});
