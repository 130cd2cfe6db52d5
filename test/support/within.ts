/**
 * Bounds for awaited events: a test that waits for something that never comes fails saying what
 * it waited for, instead of hanging (node's test runner has no timeout of its own).
 */

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Text arriving in chunks (a cell's stdout): `feed` each chunk; `printed(needle)` resolves once
 * the text so far holds `needle` (within `ms`).
 */
export function textArrival() {
  let text = '';
  const waiting = new Set<{ needle: string; resolve: () => void }>();
  return {
    feed(chunk: string): void {
      text += chunk;
      for (const w of waiting) {
        if (text.includes(w.needle)) {
          waiting.delete(w);
          w.resolve();
        }
      }
    },
    printed(needle: string, ms = 10_000): Promise<void> {
      if (text.includes(needle)) return Promise.resolve();
      return within(new Promise<void>((resolve) => waiting.add({ needle, resolve })), ms, JSON.stringify(needle));
    },
  };
}
