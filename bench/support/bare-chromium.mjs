// A Chromium that nobody watches while a page loads, for timing page opens.
//
// Playwright attaches to every page it can see and turns on DevTools domains (Network, Runtime…)
// before the page's first script runs. With them on, Chromium records the JavaScript stack of
// every request a script starts, and V8 then works out source positions for each function on that
// stack. For a function that has not kept them (a big bundle wrapped in one function, like
// Monaco's editor.js) that means parsing the whole bundle again on the main thread: measured,
// ~800 ms of a 4 MB script's first run, which a user's browser never pays.
//
// So the opens are timed over Chrome's DevTools protocol directly: the page is made from the
// browser's own session (no client attached to it) and attached to only once it has loaded, to
// read the page's performance marks and to click.
import { spawn } from 'node:child_process';
import WebSocket from 'ws';

/** A connection to Chrome's DevTools protocol: `send` a method (to a page's session or the browser). */
class Cdp {
  #ws;
  #next = 1;
  #pending = new Map();
  /** Called with every event the browser sends. */
  listeners = new Set();

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.method) for (const fn of this.listeners) fn(msg);
      const waiter = msg.id !== undefined && this.#pending.get(msg.id);
      if (!waiter) return;
      this.#pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
      else waiter.resolve(msg.result);
    });
    ws.on('close', () => {
      for (const w of this.#pending.values()) w.reject(new Error(`${w.method}: the browser closed the connection`));
      this.#pending.clear();
    });
  }

  send(method, params = {}, sessionId) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  close() {
    this.#ws.close();
  }
}

/** A page's tab, once attached: evaluate in it and click in it. */
class BareTab {
  /** `browserContextId`: the tab's own browser context, disposed with it (a fresh open's). */
  constructor(cdp, targetId, sessionId, browserContextId) {
    this.cdp = cdp;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.browserContextId = browserContextId;
  }

  /** Evaluates `expression` (a promise is awaited) and returns its JSON value. */
  async evaluate(expression) {
    const { result, exceptionDetails } = await this.cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.sessionId);
    if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  }

  /** Polls `expression` until it is truthy. */
  async waitFor(expression, timeoutMs = 30_000) {
    const end = Date.now() + timeoutMs;
    while (!(await this.evaluate(expression))) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** A left click in the middle of the first element matching `selector`, scrolled into view. */
  async click(selector) {
    const box = await this.evaluate(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: 'center' });
      const r = el.getBoundingClientRect();
      return { x: r.left + Math.min(r.width / 2, 40), y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`nothing matches ${selector}`);
    for (const type of ['mousePressed', 'mouseReleased'])
      await this.cdp.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 }, this.sessionId);
  }

  async close() {
    await this.cdp.send('Target.closeTarget', { targetId: this.targetId });
    if (this.browserContextId) await this.cdp.send('Target.disposeBrowserContext', { browserContextId: this.browserContextId });
  }
}

/**
 * Starts Chromium (`executablePath`, `args`) on `profileDir` with DevTools listening on a local port.
 * `open(url, { fresh })` loads `url` in a new tab, untouched for `settleMs`, then attaches to it;
 * `cdp` is the browser's own session (for tracing, say);
 * `fresh` makes the tab in a new in-memory browser context (nothing cached), as a first visit.
 */
export async function launchBareChromium({ executablePath, args, profileDir, width = 1200, height = 900 }) {
  const child = spawn(
    executablePath,
    [...args, `--user-data-dir=${profileDir}`, `--window-size=${width},${height}`, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ws;
  try {
    const endpoint = await new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium's DevTools did not listen within 30 s: ${err.slice(-500)}`)), 30_000);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code}) before DevTools listened: ${err.slice(-500)}`));
      });
    });
    ws = new WebSocket(endpoint, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
  } catch (error) {
    // Not left running when it could not be reached.
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const cdp = new Cdp(ws);
  return {
    cdp,
    async open(url, { fresh = false, blankMs = 1000, settleMs = 3000 } = {}) {
      let browserContextId;
      if (fresh) ({ browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true }));
      // The tab starts on about:blank, as a tab a user types an address into, and is given
      // `blankMs` to settle (a new window keeps the browser busy for ~800 ms here): its renderer
      // process is running before the page's navigation starts, as with Playwright's newPage().
      // Attached to only to navigate, then detached.
      const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', ...(browserContextId ? { browserContextId } : {}) });
      await new Promise((resolve) => setTimeout(resolve, blankMs));
      const nav = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
      await cdp.send('Page.navigate', { url }, nav.sessionId);
      await cdp.send('Target.detachFromTarget', { sessionId: nav.sessionId });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
      return new BareTab(cdp, targetId, sessionId, browserContextId);
    },
    async close() {
      await cdp.send('Browser.close').catch(() => undefined);
      cdp.close();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
