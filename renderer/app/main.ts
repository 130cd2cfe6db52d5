/**
 * The page's entry point (dist/renderer/app.js): styles, then the app.
 */
import '../outputs/outputs.css';
import '../notebook/notebook.css';
import './app.css';
import { tokenStylesheet } from '../notebook/editor/token-colors.ts';
import { App, showFatal } from './app.ts';

const root = document.getElementById('app') ?? document.body;
const style = document.createElement('style');
style.textContent = tokenStylesheet();
document.head.append(style);
try {
  const app = new App(root);
  window.probebook = app;
  app.start().catch((error: unknown) => showFatal(root, error));
} catch (error) {
  showFatal(root, error);
}
