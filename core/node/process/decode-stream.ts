/**
 * A child's output as text, chunk by chunk as it is read (no line or size buffering): UTF-8
 * decoded with a StringDecoder, so a character split across two reads arrives whole in the second.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export interface TextForward {
  /** Resolves when the stream ended (every byte passed on), closed or failed. */
  readonly ended: Promise<void>;
  /** Stops passing text on and closes the stream (a pipe held open by a stray process). */
  stop(): void;
}

/** Bytes looked at to tell binary output from text. */
const SNIFF_BYTES = 512;

/** The first four bytes of pcap (µs and ns, both byte orders) and pcapng (its section header block). */
const CAPTURE_MAGICS = [
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0x0a, 0x0d, 0x0d, 0x0a],
];

/**
 * Whether a stream that starts with `head` is binary: a pcap or pcapng capture (`tcpdump -w -`),
 * or anything with a NUL byte in its first bytes (text never has one). `undefined` while `head`
 * could still become a capture's magic number (fewer than 4 bytes, all of them matching one).
 */
export function isBinaryStart(head: Uint8Array, ended = false): boolean | undefined {
  const n = Math.min(head.length, 4);
  const capture = CAPTURE_MAGICS.some((magic) => magic.slice(0, n).every((b, i) => head[i] === b));
  if (capture && head.length >= 4) return true;
  if (capture && !ended && head.length > 0) return undefined;
  return head.subarray(0, SNIFF_BYTES).includes(0);
}

/**
 * Passes each chunk of `stream` to `onText` as soon as it is read. With `onBytes`, a stream whose
 * first bytes are binary ({@link isBinaryStart}) is passed on as bytes instead, whole and
 * undecoded: a capture must reach its parser byte for byte, not as mangled UTF-8.
 */
export function forwardText(stream: Readable, onText: (text: string) => void, onBytes?: (bytes: Buffer) => void): TextForward {
  const decoder = new StringDecoder('utf8');
  let stopped = false;
  /** Undecided (the first bytes are held), text, or bytes. */
  let mode: 'sniff' | 'text' | 'bytes' = onBytes ? 'sniff' : 'text';
  let held: Buffer[] = [];
  const decide = (ended: boolean) => {
    const head = Buffer.concat(held);
    const binary = isBinaryStart(head, ended);
    if (binary === undefined) return;
    mode = binary ? 'bytes' : 'text';
    held = [];
    if (head.length > 0) pass(head);
  };
  const pass = (chunk: Buffer) => {
    if (stopped) return;
    if (mode === 'bytes') return onBytes!(chunk);
    const text = decoder.write(chunk);
    if (text) onText(text);
  };
  const onData = (chunk: Buffer | string) => {
    if (typeof chunk === 'string') {
      if (chunk && !stopped) onText(chunk);
      return;
    }
    if (mode !== 'sniff') return pass(chunk);
    held.push(chunk);
    decide(false);
  };
  stream.on('data', onData);
  const ended = new Promise<void>((resolve) => {
    const done = () => {
      stream.off('data', onData);
      if (mode === 'sniff') decide(true);
      if (mode === 'bytes') return resolve();
      const rest = decoder.end(); // an incomplete character at the very end becomes U+FFFD
      if (rest && !stopped) onText(rest);
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    // A read error (EIO…) ends the stream; the process result still tells how the cell ended.
    stream.once('error', done);
  });
  return {
    ended,
    stop() {
      stopped = true;
      stream.destroy();
    },
  };
}
