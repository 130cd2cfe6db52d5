/**
 * What the status bar says: the connection, who cells run as, trust, how many cells run, the
 * selected cell and the mode; the timeline follows the selection, the toolbar the commands.
 */
import { cellKind, KIND_LABELS } from '../notebook/cell-kind.ts';
import type { App } from './app.ts';

export function refreshStatusBar(app: App): void {
  const s = app.shell;
  const connection = app.connection;
  const status = connection.status;
  const label =
    status === 'open'
      ? connection.transportKind === 'message-port'
        ? 'Connected'
        : 'Connected to probebook serve'
      : status === 'failed'
        ? 'Disconnected'
        : 'Reconnecting…';
  s.setStatus('connection', label, connection.error, status === 'open' ? 'ok' : 'bad');
  const runAs = app.welcome?.runAs;
  s.setStatus(
    'runAs',
    runAs ? (runAs === 'root' ? 'Cells run as root' : runAs === 'user' ? 'Cells run as your user' : 'Cells will ask for root once') : '',
    'Who the kernel host runs cells as',
  );
  const doc = app.doc;
  s.setStatus(
    'trust',
    doc ? (doc.trusted ? 'Trusted' : 'Not trusted') : '',
    doc?.trusted ? 'Outputs render fully; cells run without asking' : 'Review the code before running it',
    doc && !doc.trusted ? 'warn' : '',
  );
  // Running and queued apart: a Run All of a long lab said "Running 30 cells" while 3 ran.
  const busy = doc?.busyCellIds ?? [];
  const running = busy.filter((id) => doc?.runState(id).status === 'running').length;
  const queued = busy.length - running;
  const cells = (n: number) => `${n} cell${n === 1 ? '' : 's'}`;
  const busyText = [running ? `Running ${cells(running)}` : '', queued ? (running ? `${queued} queued` : `${cells(queued)} queued`) : '']
    .filter(Boolean)
    .join(' · ');
  s.setStatus('busy', busyText, '', busy.length ? 'busy' : '');
  const view = app.view;
  const cellId = view?.activeCellId;
  if (doc && view && cellId && doc.cell(cellId)) {
    const cell = doc.cell(cellId)!;
    s.setStatus('cell', `Cell ${doc.indexOf(cellId) + 1} of ${doc.cells.length} · ${KIND_LABELS[cellKind(cell, doc.notebook)]}`);
    s.setStatus('mode', view.mode === 'edit' ? 'Edit' : 'Command', view.mode === 'edit' ? 'Esc: command mode' : 'Enter: edit the cell', view.mode);
  } else {
    s.setStatus('cell', doc ? `${doc.cells.length} cells` : '');
    s.setStatus('mode', '');
  }
  const timeline = app.timeline.panel;
  timeline?.setActiveCell(cellId ?? null);
  s.setPressed('view.runTimeline', !!timeline);
  s.refreshTools();
}
