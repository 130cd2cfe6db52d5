/**
 * dist/renderer/boot.js: loaded `async` ahead of the app, it opens the link to the host and asks
 * for the notebook in the URL while app.js and its chunks are still loading (early-link.ts).
 */
import { openEarlyLink } from '../connection/early-link.ts';

openEarlyLink();
