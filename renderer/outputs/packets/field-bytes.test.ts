import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CaptureReader } from '../../../core/common/packets/capture-reader.ts';
import { decodePacket } from '../../../core/common/packets/decode.ts';
import type { FieldNode } from '../../../core/common/packets/types.ts';
import { asciiByte, fieldAt, fieldOfByte, hexByte, MAX_BYTES_SHOWN, offsetLabel, shownBytes, shownLayers } from './field-bytes.ts';

/** The first packet of a real capture: a TCP SYN on lo (Ethernet, IPv4, TCP with options). */
function synPacket() {
  const reader = new CaptureReader();
  const [record] = reader.push(readFileSync(join(import.meta.dirname, '../../../../shared/reference/samples/tcpdump-usec.pcap')));
  return { record: record!, decoded: decodePacket(record!, reader.interfaces[0]) };
}

test('hex and ASCII columns read like tcpdump -X and Wireshark', () => {
  assert.deepEqual([offsetLabel(0), offsetLabel(0x1f0), offsetLabel(0x12345)], ['0000', '01f0', '12345']);
  assert.deepEqual([hexByte(0), hexByte(0xab)], ['00', 'ab']);
  assert.equal([0x45, 0x00, 0x20, 0x7e, 0x7f, 0xff, 0x0a].map(asciiByte).join(''), 'E. ~...');
});

test('the bytes shown start at the network header without the link layer, and are bounded', () => {
  assert.deepEqual(shownBytes(74, 14, true), { from: 0, to: 74, hidden: 0 });
  assert.deepEqual(shownBytes(74, 14, false), { from: 14, to: 74, hidden: 0 });
  assert.deepEqual(shownBytes(1_000_000, 0, true), { from: 0, to: MAX_BYTES_SHOWN, hidden: 1_000_000 - MAX_BYTES_SHOWN });
});

test('a byte selects the innermost field covering it, in a real decoded packet', () => {
  const { decoded } = synPacket();
  const label = (offset: number) => fieldAt(decoded.tree, fieldOfByte(decoded.tree, offset)!)?.label;
  assert.equal(label(0), 'Destination: 00:00:00:00:00:00');
  assert.equal(label(13), 'Type: IPv4 (0x0800)');
  assert.equal(label(22), 'Time to Live: 64');
  assert.match(label(26)!, /^Source Address: 127\.0\.0\.1/);
  assert.match(label(34)!, /^Source Port: 47032/);
  assert.equal(label(56), 'MSS Value: 65495');
  // Every field the lookup returns covers the byte.
  for (let b = 0; b < 74; b++) {
    const f = fieldAt(decoded.tree, fieldOfByte(decoded.tree, b)!);
    assert.ok(f && f.start! <= b && b < f.end!, `byte ${b}`);
  }
});

test('the link-layer toggle hides the Ethernet layer; a byte outside every field selects nothing', () => {
  const { decoded } = synPacket();
  assert.equal(decoded.networkOffset, 14);
  const layers = shownLayers(decoded.tree, 14, false);
  assert.ok(layers.every((i) => !decoded.tree[i]!.label.startsWith('Ethernet')));
  assert.equal(layers.length, decoded.tree.length - 1);
  assert.equal(fieldOfByte(decoded.tree, 3, layers), undefined, 'an Ethernet byte, with Ethernet hidden');
  const tree: FieldNode[] = [{ label: 'a', start: 0, end: 4, children: [{ label: 'b', start: 0, end: 2 }, { label: 'note' }] }];
  assert.deepEqual(fieldOfByte(tree, 1), [0, 0]);
  assert.deepEqual(fieldOfByte(tree, 3), [0]);
  assert.equal(fieldOfByte(tree, 9), undefined);
});

test('a tree of a million nodes is searched within a bound', () => {
  const children: FieldNode[] = Array.from({ length: 1_000_000 }, () => ({ label: 'x', start: 0, end: 10 }));
  const tree: FieldNode[] = [{ label: 'big', start: 0, end: 100, children }];
  const t0 = performance.now();
  const path = fieldOfByte(tree, 50);
  assert.deepEqual(path, [0]);
  assert.ok(performance.now() - t0 < 500);
});
