import type { Writable } from 'node:stream';
import type { KernelMessage } from '../../common/protocol.ts';
import type { OutputSink } from '../kernels/kernel.ts';

/** Bytes of messages waiting for the app before stream text is dropped (and counted). */
const MAX_BUFFERED_OUTPUT = 64 * 1024 * 1024;

/**
 * A kernel's output calls for execution `requestId`, each sent as the message of its name; stream
 * text past the output buffer's limit is counted, and `flush` reports how much was dropped.
 */
export function kernelOutputSink(requestId: string, output: Writable, send: (message: KernelMessage) => void): OutputSink & { flush(): void } {
  let dropped = 0;
  const flush = () => {
    if (!dropped) return;
    send({ type: 'kernel_stream', requestId, name: 'stderr', text: `[probebook: ${dropped} bytes of output dropped: the app could not keep up]\n` });
    dropped = 0;
  };
  return {
    flush,
    stream: (name, text) => {
      // A cell can print faster than the app reads: past the limit, text is counted, not buffered.
      if (output.writableLength > MAX_BUFFERED_OUTPUT) {
        dropped += Buffer.byteLength(text);
        return;
      }
      flush();
      send({ type: 'kernel_stream', requestId, name, text });
    },
    display: (items, options) =>
      send({ type: 'kernel_display', requestId, items, ...(options?.displayId !== undefined ? { displayId: options.displayId } : {}) }),
    update: (displayId, items) => send({ type: 'kernel_update', requestId, displayId, items }),
    clear: () => send({ type: 'kernel_clear', requestId }),
    error: (error) => send({ type: 'kernel_error', requestId, error }),
  };
}
