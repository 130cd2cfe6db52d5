/**
 * NDJSON framing for the kernel host's stdio: one JSON message per line. The reader never holds
 * more than `maxLineBytes` of one line: a longer line is dropped whole and reported, so a hostile
 * or broken peer cannot make the other side buffer without bound.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

export interface LineReaderEvents {
  line(line: string): void;
  /** A line longer than the limit was dropped; `bytes` is how much of it arrived. */
  oversize(bytes: number): void;
  end(): void;
}

/** Calls `events.line` for every complete line of `input`, within the size limit. */
export function readLines(input: Readable, maxLineBytes: number, events: LineReaderEvents): void {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let bufferBytes = 0;
  let dropping = false;
  let droppedBytes = 0;
  const take = (text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (dropping) {
        events.oversize(droppedBytes + Buffer.byteLength(piece));
        dropping = false;
        droppedBytes = 0;
        continue;
      }
      const bytes = bufferBytes + Buffer.byteLength(piece);
      if (bytes > maxLineBytes) {
        events.oversize(bytes);
      } else {
        const line = buffer + piece;
        if (line.trim()) events.line(line);
      }
      buffer = '';
      bufferBytes = 0;
    }
    const rest = text.slice(start);
    if (!rest) return;
    if (dropping) {
      droppedBytes += Buffer.byteLength(rest);
      return;
    }
    bufferBytes += Buffer.byteLength(rest);
    if (bufferBytes > maxLineBytes) {
      dropping = true;
      droppedBytes = bufferBytes;
      buffer = '';
      bufferBytes = 0;
    } else {
      buffer += rest;
    }
  };
  input.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    take(decoder.end());
    events.end();
  };
  input.on('end', end);
  input.on('close', end);
  input.on('error', end);
}

/** Writes one message as a line; returns false once the peer is gone. */
export function writeLine(output: Writable, message: unknown): boolean {
  if (output.destroyed || output.writableEnded) return false;
  output.write(`${JSON.stringify(message)}\n`);
  return true;
}
