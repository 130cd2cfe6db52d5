/**
 * One window per notebook. Each window loads the page from `app://probebook/`, sandboxed and
 * context-isolated, and knows which notebook it shows (from the command line, the page's own
 * dialogs, or the notebooks the session host sends it), so opening a file twice focuses it.
 */
import { BrowserWindow, app, dialog, nativeTheme, type WebContents, type WebFrameMain } from 'electron';
import type { MenuCommandId } from '../../core/common/bridge.ts';
import type { HostMessage } from '../../core/common/protocol.ts';
import { APP_ENTRY_URL } from '../shared/app-origin.ts';
import { CommandQueue } from './command-queue.ts';
import { HostLink, type SessionHostLike } from './host-link.ts';

export interface NotebookWindow {
  readonly window: BrowserWindow;
  /** The notebook shown (absolute path), or null for an empty or never-saved one. */
  file: string | null;
  link: HostLink | null;
  readonly commands: CommandQueue;
}

export class NotebookWindows {
  private readonly byContents = new Map<number, NotebookWindow>();

  constructor(private readonly options: { preload: string; host: SessionHostLike }) {}

  /** Opens `file` in a new window, or focuses the window already showing it. */
  open(file: string | null): NotebookWindow {
    const existing = file === null ? undefined : this.all().find((w) => w.file === file);
    if (existing) {
      if (existing.window.isMinimized()) existing.window.restore();
      existing.window.focus();
      return existing;
    }
    return this.create(file);
  }

  /** Opens each file (second instance, command line); with none, brings the app forward. */
  openFiles(files: readonly string[]): void {
    for (const file of files) this.open(file);
    if (files.length === 0) {
      const last = this.all().at(-1);
      if (last) last.window.focus();
      else this.open(null);
    }
  }

  /** The window whose page sent an IPC message, if it is one of ours. */
  forContents(contents: WebContents): NotebookWindow | undefined {
    return this.byContents.get(contents.id);
  }

  /** Sends a menu command to the focused window, opening one if none is; queued until its page connects. */
  sendCommand(command: MenuCommandId): void {
    const focused = BrowserWindow.getFocusedWindow();
    const target = (focused && this.byContents.get(focused.webContents.id)) ?? this.all().at(-1) ?? this.open(null);
    target.commands.push(command);
  }

  /** Connects the page in `frame` of `entry` to the session host, replacing an earlier connection. */
  connect(entry: NotebookWindow, frame: WebFrameMain): void {
    entry.link?.close();
    const link: HostLink = new HostLink(this.options.host, frame, {
      observe: (message) => this.observe(entry, message),
      closed: () => {
        if (entry.link !== link) return;
        entry.link = null;
        entry.commands.disconnect();
      },
    });
    entry.link = link;
    entry.commands.connect((command) => link.sendCommand(command));
  }

  all(): NotebookWindow[] {
    return [...this.byContents.values()];
  }

  private observe(entry: NotebookWindow, message: HostMessage): void {
    if (message.type === 'notebook_opened') entry.file = message.snapshot.path;
    else if (message.type === 'notebook_state') entry.file = message.path;
  }

  private create(file: string | null): NotebookWindow {
    const window = new BrowserWindow({
      width: 1200,
      height: 900,
      minWidth: 480,
      minHeight: 320,
      show: false,
      title: 'Probebook',
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#ffffff',
      webPreferences: {
        // These four are checked as literals by test/electron-lint.test.ts; keep them literal.
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        preload: this.options.preload,
        spellcheck: false,
      },
    });
    const contents = window.webContents;
    const id = contents.id;
    const entry: NotebookWindow = { window, file, link: null, commands: new CommandQueue() };
    this.byContents.set(id, entry);
    window.once('ready-to-show', () => window.show());
    // The page asks before leaving with unsaved edits (beforeunload); main shows the native question.
    contents.on('will-prevent-unload', (event) => {
      const choice = dialog.showMessageBoxSync(window, {
        type: 'question',
        buttons: ['Leave', 'Stay'],
        defaultId: 1,
        cancelId: 1,
        message: 'This notebook has unsaved changes.',
        detail: 'Stay and save it (Ctrl+S), or leave without saving.',
      });
      if (choice === 0) event.preventDefault();
    });
    contents.on('render-process-gone', (_event, details) => {
      process.stderr.write(`probebook: the page of ${entry.file ?? 'a window'} stopped (${details.reason}); reload it from View > Reload\n`);
      entry.link?.close();
    });
    window.on('closed', () => {
      entry.link?.close();
      this.byContents.delete(id);
    });
    void window.loadURL(APP_ENTRY_URL).catch((error: Error) => {
      process.stderr.write(`probebook: could not load the page (${error.message}); run npm run build\n`);
    });
    return entry;
  }
}

/** Creates the window registry; opens `files` (or one empty window) once the app is ready. */
export function setupWindows(options: { preload: string; host: SessionHostLike; files: readonly string[] }): NotebookWindows {
  const windows = new NotebookWindows(options);
  void app.whenReady().then(() => windows.openFiles(options.files));
  // Linux convention: the app ends with its last window.
  app.on('window-all-closed', () => app.quit());
  return windows;
}
