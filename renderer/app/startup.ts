/**
 * The page's start: connect, then open what the URL (`?open=`) or the app names, else the start
 * screen. The notebook is asked for right behind the hello (or by boot.js, earlier still).
 */
import type { EarlyLink } from '../connection/early-link.ts';
import type { Welcome } from '../connection/host-connection.ts';
import { h } from '../outputs/dom.ts';
import type { App } from './app.ts';
import { showConnectionProblem } from './banners.ts';

export async function startPage(app: App, connecting: Promise<Welcome>, earlyOpen: EarlyLink['openRequest']): Promise<void> {
  const { connection, files } = app;
  app.shell.main.replaceChildren(h('div', 'pb-loading', 'Connecting to Probebook…'));
  const wanted = new URLSearchParams(location.search).get('open');
  // The notebook is asked for right behind the hello: one round trip less before it shows. On
  // the early link boot.js asked already, likely before this script had even loaded.
  const early = !wanted
    ? null
    : earlyOpen?.path === wanted
      ? connection.replyTo('open_notebook', earlyOpen.requestId)
      : connection.whenHelloSent().then(() => connection.request({ type: 'open_notebook', path: wanted }));
  early?.catch(() => undefined);
  try {
    app.welcome = await connecting;
    performance.mark('pb-connected');
  } catch (error) {
    showConnectionProblem(app, (error as Error).message);
    // The connection keeps retrying; go on once it is back.
    app.welcome = await new Promise<Welcome>((resolve) => {
      const off = connection.onReconnected((w) => {
        off();
        resolve(w);
      });
    });
    app.refreshChrome();
    if (wanted) await files.openPath(wanted);
    else await files.showStart();
    return;
  }
  app.refreshChrome();
  if (early && wanted) {
    await files.openPath(wanted, early);
    return;
  }
  const launch = app.bridge ? await app.bridge.launchFile().catch(() => null) : null;
  if (launch) await files.openPath(launch);
  else await files.showStart();
}
