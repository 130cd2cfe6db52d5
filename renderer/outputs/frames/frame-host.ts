/**
 * The page side of a sandboxed output frame: `<iframe sandbox="allow-scripts">` (no
 * `allow-same-origin`, so the frame has an opaque origin and cannot reach the app, its storage
 * or its connection), loaded from the app's own frame document. Messages are accepted only from
 * that frame's window and only in the shapes of {@link parseFromFrame}; sends wait for its ready.
 */
import { h } from '../dom.ts';
import { parseFromFrame, type FromFrame, type ToFrame } from './frame-protocol.ts';

export interface FrameOptions {
  /** Absolute URL of the frame document (`plot-frame.html` or `html-frame.html`). */
  src: string;
  title: string;
  signal: AbortSignal;
  /** Height before the frame reports its own. */
  initialHeight: number;
  onMessage?: (msg: FromFrame) => void;
}

/** How long a frame may take to say it is ready before we tell the user. */
const READY_TIMEOUT_MS = 15_000;

export class SandboxedFrame {
  readonly iframe: HTMLIFrameElement;
  private ready = false;
  private queue: ToFrame[] = [];
  private readonly onMessage?: (msg: FromFrame) => void;
  private readonly timer: number;

  constructor(parent: HTMLElement, options: FrameOptions) {
    this.onMessage = options.onMessage;
    const iframe = h('iframe', 'pb-frame');
    // The security boundary: scripts only, opaque origin, no forms, popups, downloads or top navigation.
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    iframe.title = options.title;
    iframe.style.height = `${options.initialHeight}px`;
    iframe.src = options.src;
    this.iframe = iframe;
    window.addEventListener('message', this.listener, { signal: options.signal });
    options.signal.addEventListener('abort', () => this.dispose(), { once: true });
    this.timer = window.setTimeout(() => {
      if (!this.ready)
        this.onMessage?.({
          type: 'pb-error',
          message: `The output frame (${options.src}) did not start. Is it served with the app, and does the Content-Security-Policy allow it? See docs/outputs.md.`,
        });
    }, READY_TIMEOUT_MS);
    parent.append(iframe);
  }

  post(msg: ToFrame): void {
    if (!this.ready) {
      // Only the latest render and theme matter while the frame loads; each request is answered.
      if (msg.type === 'pb-render' || msg.type === 'pb-theme') this.queue = this.queue.filter((m) => m.type !== msg.type);
      this.queue.push(msg);
      return;
    }
    // '*' because an opaque-origin frame has no origin to name; the data is the output itself.
    this.iframe.contentWindow?.postMessage(msg, '*');
  }

  dispose(): void {
    clearTimeout(this.timer);
    window.removeEventListener('message', this.listener);
    this.iframe.remove();
  }

  private readonly listener = (ev: MessageEvent): void => {
    // Only our frame's window, and only from an opaque origin (a frame that gained an origin is not ours any more).
    if (ev.source !== this.iframe.contentWindow || ev.origin !== 'null') return;
    const msg = parseFromFrame(ev.data);
    if (!msg) return;
    if (msg.type === 'pb-ready') {
      this.ready = true;
      clearTimeout(this.timer);
      const queued = this.queue;
      this.queue = [];
      for (const m of queued) this.post(m);
    } else if (msg.type === 'pb-size') {
      this.iframe.style.height = `${Math.max(24, msg.height)}px`;
    }
    this.onMessage?.(msg);
  };
}
