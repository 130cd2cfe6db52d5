import type { Writable } from 'node:stream';
import type { DroppedText, KernelMessage } from '../../common/protocol.ts';
import type { OutputSink } from '../kernels/kernel.ts';
import { StreamLimiter } from '../run/stream-limiter.ts';

/** Bytes of messages waiting for the app before stream text is dropped (and counted). */
const MAX_BUFFERED_OUTPUT = 64 * 1024 * 1024;

export type KernelOutputSink = OutputSink & {
  /** Ends the execution's output: what was dropped, per stream, or undefined when nothing was. */
  flush(): Partial<Record<'stdout' | 'stderr', DroppedText>> | undefined;
};

/**
 * A kernel's output calls for execution `requestId`, each sent as the message of its name. Stream
 * text is sent up to `streamLimitBytes` per stream (what the session keeps: a flood crosses the
 * link once, not whole) and while the app reads; the rest is counted, and `flush` says how much.
 */
export function kernelOutputSink(requestId: string, output: Writable, send: (message: KernelMessage) => void, streamLimitBytes?: number): KernelOutputSink {
  const limiter = streamLimitBytes === undefined ? undefined : new StreamLimiter(streamLimitBytes);
  /** Dropped because the app did not read fast enough (the limiter counts its own). */
  const behind = { stdout: { bytes: 0, lines: 0 }, stderr: { bytes: 0, lines: 0 } };
  const count = (name: 'stdout' | 'stderr', text: string) => {
    behind[name].bytes += Buffer.byteLength(text);
    behind[name].lines += lineCount(text);
  };
  return {
    flush: () => {
      const late = behind.stdout.bytes + behind.stderr.bytes;
      if (late) send({ type: 'kernel_stream', requestId, name: 'stderr', text: `[probebook: ${late} bytes of output dropped: the app could not keep up]\n` });
      const dropped: Partial<Record<'stdout' | 'stderr', DroppedText>> = {};
      for (const name of ['stdout', 'stderr'] as const) {
        const limited = limiter?.dropped(name) ?? { bytes: 0, lines: 0 };
        const total = { bytes: limited.bytes + behind[name].bytes, lines: limited.lines + behind[name].lines };
        if (total.bytes > 0) dropped[name] = total;
      }
      return Object.keys(dropped).length > 0 ? dropped : undefined;
    },
    stream: (name, text) => {
      const kept = limiter ? limiter.take(name, text).kept : text;
      if (!kept) return;
      // A cell can print faster than the app reads: past the buffer's limit, text is counted, not buffered.
      if (output.writableLength > MAX_BUFFERED_OUTPUT) return count(name, kept);
      send({ type: 'kernel_stream', requestId, name, text: kept });
    },
    bytes: (name, data) => {
      // A capture goes whole or not at all past this point: dropped bytes are counted and said.
      if (output.writableLength > MAX_BUFFERED_OUTPUT) {
        behind[name].bytes += data.length;
        return;
      }
      send({ type: 'kernel_bytes', requestId, name, base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') });
    },
    display: (items, options) =>
      send({ type: 'kernel_display', requestId, items, ...(options?.displayId !== undefined ? { displayId: options.displayId } : {}) }),
    update: (displayId, items) => send({ type: 'kernel_update', requestId, displayId, items }),
    clear: () => send({ type: 'kernel_clear', requestId }),
    error: (error) => send({ type: 'kernel_error', requestId, error }),
  };
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
