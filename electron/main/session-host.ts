/**
 * The session host inside Electron's main process (which runs as the user): it owns the open
 * notebooks for every window; cells go to the privileged kernel host, started at the first run.
 * Windows reach it through {@link HostLink} (a MessagePort each), with the same protocol the
 * browser's WebSocket carries.
 */
import { app } from 'electron';
import { createSessionHost } from '../../core/node/session/create-session-host.ts';
import type { HostConnection, SessionHostLike } from './host-link.ts';
import { findSystemNode, kernelHostBundle } from './kernel-host-paths.ts';

export function setupSessionHost(): SessionHostLike {
  // The desktop app opens what its user picks in native dialogs: the whole file system is "served",
  // with the user's own permissions.
  const host = createSessionHost({
    root: '/',
    kernelHost: () => {
      const node = findSystemNode(process.env.PATH);
      if (!node) throw new Error('Cells run under a system Node.js (the desktop app cannot elevate itself): install nodejs (sudo apt install nodejs).');
      return { node, entry: kernelHostBundle(import.meta.dirname) };
    },
  });
  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed) return;
    // Stop runs (bpftrace prints its maps, cleanup cells run) and back up unsaved edits first.
    event.preventDefault();
    disposed = true;
    void host.then((h) => h.dispose()).finally(() => app.quit());
  });
  return {
    attach(connection: HostConnection): void {
      void host.then(
        (h) => h.attach(connection),
        (error: Error) => connection.send({ type: 'error', code: 'internal', message: `The session host could not start: ${error.message}` }),
      );
    },
  };
}
