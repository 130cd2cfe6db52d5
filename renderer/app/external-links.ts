/**
 * In the app, links in markdown and outputs open in the system browser (Electron denies new
 * windows, so a plain click would do nothing).
 */
import type { ProbebookBridge } from '../../core/common/bridge.ts';
import { toast } from './dialog.ts';

export function openLinksInSystemBrowser(bridge: ProbebookBridge): void {
  document.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
    if (!a || !/^https?:/i.test(a.href)) return;
    e.preventDefault();
    bridge.openExternal(a.href).catch((error: unknown) => toast(`${a.href} could not be opened: ${(error as Error).message}`, 'error'));
  });
}
