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

/** Passes each chunk of `stream` to `onText` as soon as it is read. */
export function forwardText(stream: Readable, onText: (text: string) => void): TextForward {
  const decoder = new StringDecoder('utf8');
  let stopped = false;
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text && !stopped) onText(text);
  };
  stream.on('data', onData);
  const ended = new Promise<void>((resolve) => {
    const done = () => {
      stream.off('data', onData);
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
