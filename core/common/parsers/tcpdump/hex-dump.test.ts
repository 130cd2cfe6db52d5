import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINKTYPE } from '../../packets/types.ts';
import { detectBytesFrom, readHexLine } from './hex-dump.ts';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((b) => Number.parseInt(b, 16)));

test('reads -X lines with their ASCII column and -x lines without', () => {
  assert.deepEqual(readHexLine('\t0x0000:  4500 008c d029 4000 4006 6c40 7f00 0001  E....)@.@.l@....'), {
    offset: 0,
    bytes: [0x45, 0, 0x00, 0x8c, 0xd0, 0x29, 0x40, 0, 0x40, 0x06, 0x6c, 0x40, 0x7f, 0, 0, 1],
  });
  assert.deepEqual(readHexLine('\t0x0080:  6570 743a 202a 2f2a 0d0a 0d0a            ept:.*/*....')?.bytes.length, 12);
  assert.deepEqual(readHexLine('\t0x0040:  7265'), { offset: 0x40, bytes: [0x72, 0x65] });
});

test('reads an odd last byte and offsets past 0xffff', () => {
  assert.deepEqual(readHexLine('\t0x10000:  4142 43                                  ABC'), { offset: 0x10000, bytes: [0x41, 0x42, 0x43] });
  assert.deepEqual(readHexLine('\t0x0060:  67'), { offset: 0x60, bytes: [0x67] });
});

test('rejects what is not a dump line of the packet', () => {
  // -vv's option dumps are indented deeper: not the packet's bytes.
  assert.equal(readHexLine('\t    0x0000:  7ad8 ea6d 4709'), undefined);
  assert.equal(readHexLine('\t0x0000:  4500 00  E.'), undefined, 'an ASCII column of the wrong length');
  assert.equal(readHexLine('\t0x0000: '), undefined);
  assert.equal(readHexLine('\t0x0000:  4500 0034 13af 4000 4011 2908 7f00 0001 7f00'), undefined, 'nine groups');
  assert.equal(readHexLine('0x0000:  4500'), undefined);
});

test('Ethernet on lo (zero MACs, 0x0800 then 0x45) is the link layer', () => {
  const bytes = hex('000000000000000000000000080045000034');
  assert.equal(detectBytesFrom(bytes, {}), 'link');
  assert.equal(detectBytesFrom(bytes, { linkType: LINKTYPE.ETHERNET }), 'link');
});

test('an IPv4, IPv6 or ARP header at offset 0 is the network layer', () => {
  assert.equal(detectBytesFrom(hex('4500003413af4000401129087f0000017f000001'), {}), 'network');
  assert.equal(detectBytesFrom(hex(`6009a66c00403a01${'00'.repeat(32)}`), { linkType: LINKTYPE.ETHERNET }), 'network');
  assert.equal(detectBytesFrom(hex('0001080006040001ea49c4fe5933'), {}), 'network');
});

test("-e's ethertype must match bytes 12-13 for a link-layer answer", () => {
  // A network-layer packet whose source address happens to put 0x0800 at 12-13.
  const ip = hex('4500003413af40004011290808004500000000000000');
  assert.equal(detectBytesFrom(ip, {}), 'network');
  const frame = hex('7ad8ea6d4709ea49c4fe59330806000108000604');
  assert.equal(detectBytesFrom(frame, { ethertype: 0x0806 }), 'link');
  assert.equal(detectBytesFrom(frame, { ethertype: 0x0800 }), undefined);
});

test('Linux cooked v2 (-i any -XX): protocol at 0-1, IP header at 20', () => {
  const sll2 = hex('0800000000000001030400060000000000000000450000344956');
  assert.equal(detectBytesFrom(sll2, { linkType: LINKTYPE.LINUX_SLL2 }), 'link');
  assert.equal(detectBytesFrom(hex('4500003449564000401100007f0000017f000001'), { linkType: LINKTYPE.LINUX_SLL2 }), 'network');
});

test('RAW captures have no link layer; bytes that say nothing give no answer', () => {
  assert.equal(detectBytesFrom(hex('000000000000000000000000080045000034'), { linkType: LINKTYPE.RAW }), 'network');
  assert.equal(detectBytesFrom(hex('deadbeef'), {}), undefined);
});
