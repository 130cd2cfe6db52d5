/**
 * The notebook page's composition root: it makes the connection to the session host (WebSocket
 * in a browser, MessagePort in Electron), the shell, the commands and the keys, and the flows
 * that act on the notebook shown, and wires them together. What each does lives in its module.
 */
import type { ProbebookBridge } from '../../core/common/bridge.ts';
import type { HostConnection, Welcome } from '../connection/host-connection.ts';
import type { EarlyLink } from '../connection/early-link.ts';
import { CommandRegistry } from '../notebook/commands.ts';
import { whenMonacoLoaded } from '../notebook/editor/monaco-loader.ts';
import type { NotebookDocument } from '../notebook/notebook-document.ts';
import type { NotebookView } from '../notebook/notebook-view.ts';
import { registerAppCommands } from './app-commands.ts';
import { AppShell } from './app-shell.ts';
import { refreshNotebookBanners } from './banners.ts';
import { toast } from './dialog.ts';
import { openLinksInSystemBrowser } from './external-links.ts';
import { followHost } from './host-events.ts';
import { linkToHost } from './host-link.ts';
import { listenForKeys } from './keyboard.ts';
import { NotebookMount } from './notebook-mount.ts';
import { OpenFlow } from './open-flow.ts';
import { PendingCleanup } from './pending-cleanup.ts';
import { listProbes } from './probe-list.ts';
import { setOutputServices } from '../outputs/services.ts';
import { RunFlow } from './run-flow.ts';
import { startPage } from './startup.ts';
import { refreshStatusBar } from './status-bar.ts';
import { ThemeController } from './theme.ts';
import { TimelineDock } from './timeline-dock.ts';
import { TrustFlow } from './trust-flow.ts';

declare global {
  interface Window {
    probebookBridge?: ProbebookBridge;
  }
}

export class App {
  readonly connection: HostConnection;
  readonly commands = new CommandRegistry();
  readonly theme = new ThemeController();
  readonly bridge: ProbebookBridge | undefined;
  readonly shell: AppShell;
  /** The notebook on the page (or on its way). */
  readonly notebook = new NotebookMount(this);
  readonly files = new OpenFlow(this);
  readonly runs = new RunFlow(this);
  readonly trust = new TrustFlow(this);
  readonly cleanup = new PendingCleanup(this);
  readonly timeline = new TimelineDock(this);
  welcome: Welcome | null = null;
  private readonly connecting: Promise<Welcome>;
  private readonly earlyOpen: EarlyLink['openRequest'];

  constructor(root: HTMLElement) {
    this.bridge = window.probebookBridge;
    const bridge = this.bridge;
    const link = linkToHost(bridge);
    this.connection = link.connection;
    this.earlyOpen = link.earlyOpen;
    // Connecting first: the socket opens while the page builds itself.
    this.connecting = this.connection.start();
    this.connecting.catch(() => undefined);
    registerAppCommands(this);
    this.shell = new AppShell(this.commands);
    root.replaceChildren(this.shell.element);
    this.commands.onFailure((c, error) => toast(`${c.title}: ${(error as Error).message ?? String(error)}`, 'error'));
    this.theme.onChange((t) => {
      this.view?.setTheme(t);
      whenMonacoLoaded((m) => m.setEditorTheme(t));
    });
    whenMonacoLoaded((m) => {
      m.setEditorTheme(this.theme.theme);
      m.setEditorServices({ listProbes: () => listProbes(this.connection) });
    });
    // The packet view's "tshark -V": the host runs tshark on the capture beside this notebook.
    setOutputServices({
      dissectPacket: async (file, packet) => {
        const doc = this.doc;
        if (!doc) throw new Error('no notebook is open');
        const reply = await this.connection.request({ type: 'dissect_packet', notebookId: doc.id, file, packet });
        if (reply.error) throw new Error(reply.error);
        return reply.text;
      },
      readCapture: async (file, offset, length) => {
        const doc = this.doc;
        if (!doc) throw new Error('no notebook is open');
        const reply = await this.connection.request({ type: 'read_capture', notebookId: doc.id, file, offset, length });
        if (reply.error) throw new Error(reply.error);
        return { bytes: Uint8Array.from(atob(reply.base64), (c) => c.charCodeAt(0)), eof: reply.eof };
      },
    });
    listenForKeys(this.commands);
    if (bridge) openLinksInSystemBrowser(bridge);
    followHost(this);
    this.refreshChrome();
  }

  get doc(): NotebookDocument | null {
    return this.notebook.doc;
  }

  get view(): NotebookView | null {
    return this.notebook.view;
  }

  /** Connects and opens what the URL (`?open=`) or the app names, else the start screen. */
  start(): Promise<void> {
    return startPage(this, this.connecting, this.earlyOpen);
  }

  /** Header, toolbar, banners and status bar, as the notebook shown and the connection say. */
  refreshChrome(): void {
    const doc = this.doc;
    this.shell.showToolbar(!!doc);
    if (doc) this.shell.setTitle(doc.title, doc.path, doc.dirty);
    else this.shell.setTitle(null, null, false);
    this.shell.refreshTools();
    refreshNotebookBanners(this);
    this.refreshStatus();
  }

  refreshStatus(): void {
    refreshStatusBar(this);
  }
}
