/**
 * The page's entry point (dist/renderer/app.js): styles, then the app.
 */
import '../outputs/outputs.css';
import '../notebook/notebook.css';
import './app.css';
import { tokenStylesheet } from '../notebook/editor/token-colors.ts';
import { h } from '../outputs/dom.ts';
import { App } from './app.ts';
import { exposePageTestHook } from './page-test-hook.ts';

const root = document.getElementById('app') ?? document.body;
const style = document.createElement('style');
style.textContent = tokenStylesheet();
document.head.append(style);
try {
  const app = new App(root);
  exposePageTestHook(app);
  app.start().catch((error: unknown) => showFatal(root, error));
} catch (error) {
  showFatal(root, error);
}

/** Renders an error for the user in the page when the page itself cannot start. */
function showFatal(root: HTMLElement, error: unknown): void {
  root.replaceChildren(
    h(
      'div',
      'pb-fatal',
      h('h1', '', 'Probebook could not start'),
      h('p', '', (error as Error).message ?? String(error)),
      h('p', '', 'Reload the page; if it happens again, restart probebook serve (or the app).'),
    ),
  );
}
