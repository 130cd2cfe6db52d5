import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterExpressionOf, parseTcpdumpCommand, textOptionsOf } from './tcpdump-command.ts';

test('the filter expression of tcpdump -d/-dd/-ddd, quoted or not', () => {
  assert.equal(filterExpressionOf("tcpdump -d 'tcp port 80'"), 'tcp port 80');
  assert.equal(filterExpressionOf('tcpdump -ddd -y RAW tcp dst port 8080'), 'tcp dst port 8080');
  assert.equal(filterExpressionOf('sudo tcpdump -i lo -dd "host 10.0.0.1 and udp" 2>&1'), 'host 10.0.0.1 and udp');
  assert.equal(
    filterExpressionOf("/usr/sbin/tcpdump -y EN10MB -d 'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420'"),
    'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420',
  );
  assert.equal(filterExpressionOf('tcpdump -d ip and not tcp\\[13\\] = 2'), 'ip and not tcp[13] = 2');
});

test('options with arguments are not the expression; GNU getopt permutes options after words', () => {
  assert.equal(filterExpressionOf('tcpdump -i lo -c 5 -w - -s 96 icmp -n'), 'icmp');
  assert.equal(filterExpressionOf('tcpdump -ilo -c5 --interface=eth0 --time-stamp-precision nano -- -not-an-option'), '-not-an-option');
  assert.equal(filterExpressionOf('tcpdump --nan -# -ttttt -nnXX port 53'), 'port 53');
  assert.deepEqual(parseTcpdumpCommand('tcpdump -nnvvXc 3 port 53')?.options, [
    { name: 'n' },
    { name: 'n' },
    { name: 'v' },
    { name: 'v' },
    { name: 'X' },
    { name: 'c', value: '3' },
  ]);
});

test('the first command that runs tcpdump, through wrappers, pipes and lists', () => {
  assert.equal(filterExpressionOf('cd /tmp && timeout 5 tcpdump -l -n udp | tee out.txt'), 'udp');
  assert.equal(filterExpressionOf('ip netns exec ns1 tcpdump -d arp; echo done'), 'arp');
  assert.equal(filterExpressionOf('LC_ALL=C tcpdump -d "vlan and tcp" > prog.txt # the program'), 'vlan and tcp');
  assert.equal(filterExpressionOf('tcpdump -d \\\n  "port 80"'), 'port 80');
});

test('no expression: no tcpdump, no filter words, or a filter file', () => {
  for (const line of ['echo tcpdump -d port 80', 'ls -l', 'tcpdump -i lo -c 3', 'tcpdump -d -F filter.txt'])
    assert.equal(filterExpressionOf(line), undefined, line);
  assert.equal(parseTcpdumpCommand('ss -tni'), undefined);
});

test('textOptionsOf: -x/-X once is the network layer, twice the link layer; -ttt vs -ttttt; -A', () => {
  const cases: [string, object][] = [
    ['tcpdump -i lo -X', { bytesFrom: 'network' }],
    ['tcpdump -i lo -XX -# -ttttt --nano', { bytesFrom: 'link', deltas: 'first' }],
    ['tcpdump -x -x -ttt', { bytesFrom: 'link', deltas: 'previous' }],
    ['tcpdump -xX', { bytesFrom: 'network' }],
    ['tcpdump -A -tt', { ascii: true }],
    ['tcpdump -n', {}],
  ];
  for (const [line, expected] of cases) assert.deepEqual(textOptionsOf(parseTcpdumpCommand(line)!), expected, line);
});
