/**
 * tcpdump's printed output becomes a packet view, its filter programs a BPF program view, once a
 * shell cell ran: the parsers (core/common/parsers/tcpdump) read the cell's stdout here, in the
 * unprivileged runner, never in the kernel host. The stdout stays as it was printed when anything
 * else shares it; when the cell printed only tcpdump's text, that text becomes the new output's
 * `text/plain` (exactly as printed, so nothing is lost and Jupyter or GitHub show what a terminal
 * would), and the packet view is what Probebook shows.
 */
import { MIME } from '../../common/mime.ts';
import type { OutputItem } from '../../common/notebook/model.ts';
import type { BpfProgramPayload, PacketsPayload, TextPacket } from '../../common/packets/payload.ts';
import { looksLikeBpfProgram, parseBpfProgram } from '../../common/parsers/tcpdump/bpf-program.ts';
import { filterExpressionOf, parseTcpdumpCommand, textOptionsOf } from '../../common/parsers/tcpdump/tcpdump-command.ts';
import { createTcpdumpTextParser, looksLikeTcpdumpText, type TcpdumpItem } from '../../common/parsers/tcpdump/tcpdump-text.ts';
import { cellStdout, type OutputTransform, showView } from './output-transform.ts';

/** Text past this size is left as text: the parser would hold every packet in memory. */
const MAX_TEXT = 32 * 1024 * 1024;
/** Lines of the cell's first stdout looked at to decide. */
const SNIFF_CHARS = 8192;

export const tcpdumpTransform: OutputTransform = {
  afterCell(cell, { language }, sink) {
    if (language !== 'shell') return;
    const stdout = cellStdout(cell, MAX_TEXT);
    if (!stdout) return;
    const { text } = stdout;
    const head = text.slice(0, SNIFF_CHARS);
    const items = looksLikeBpfProgram(head) ? bpfProgramItems(text, cell.source) : looksLikeTcpdumpText(head) ? packetItems(text, cell.source) : undefined;
    // Only tcpdump's text on stdout: the view takes its place (its text/plain keeps every character).
    if (items) showView(cell, sink, items, stdout.streams, true);
  },
};

/** The packet view of tcpdump's printed packets, or undefined when none parse. */
function packetItems(text: string, source: string): OutputItem[] | undefined {
  const command = tcpdumpCommandLine(source);
  const parsed = command ? parseTcpdumpCommand(command) : undefined;
  const parser = createTcpdumpTextParser(parsed ? textOptionsOf(parsed) : {});
  const packets: TextPacket[] = [];
  const collect = (items: TcpdumpItem[]) => {
    for (const item of items) if (item.kind === 'packet') packets.push(textPacket(item));
  };
  collect(parser.push(text));
  collect(parser.end());
  if (packets.length === 0) return undefined;
  const link = parser.linkType;
  const payload: PacketsPayload = {
    version: 1,
    source: 'text',
    text: { ...(link ? { linkType: { name: link.name, ...(link.number !== undefined ? { number: link.number } : {}) } } : {}), packets },
    count: packets.length,
    live: false,
    problems: [],
    ...(command ? { command } : {}),
  };
  return [
    { mime: MIME.packets, data: payload as never },
    { mime: MIME.plain, data: text },
  ];
}

function textPacket(packet: Extract<TcpdumpItem, { kind: 'packet' }>): TextPacket {
  const out: TextPacket = { no: packet.no, summary: packet.summary };
  if (packet.time) {
    out.time = packet.time.text.trim();
    out.sinceFirstNs = packet.time.sinceFirstNs;
  }
  if (packet.bytes) out.hex = Buffer.from(packet.bytes).toString('hex');
  if (packet.bytesFrom) out.bytesFrom = packet.bytesFrom;
  if (packet.payloadText !== undefined) out.ascii = packet.payloadText;
  return out;
}

/** The BPF program view of `tcpdump -d/-dd/-ddd`, or undefined when the program does not parse. */
function bpfProgramItems(text: string, source: string): OutputItem[] | undefined {
  const program = parseBpfProgram(text);
  if (!program.format || program.instructions.length === 0) return undefined;
  // Numbers alone (-ddd) could be any output: only a program that reads cleanly is taken for one.
  if (program.format === 'ddd' && program.problems.length > 0) return undefined;
  const command = tcpdumpCommandLine(source);
  const expression = command ? filterExpressionOf(command) : undefined;
  const payload: BpfProgramPayload = { version: 1, format: program.format, text, ...(expression ? { expression } : {}) };
  return [
    { mime: MIME.bpfProgram, data: payload as never },
    { mime: MIME.plain, data: text },
  ];
}

/** The cell's tcpdump command line (the first line that runs tcpdump), for its flags and filter. */
function tcpdumpCommandLine(source: string): string | undefined {
  return source.split('\n').find((line) => /(^|[\s;|&(])(sudo\s+)?(\S*\/)?tcpdump(\s|$)/.test(line));
}
