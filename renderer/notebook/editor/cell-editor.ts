/**
 * The code of one cell: static highlighted text until the cell is edited, then a Monaco editor
 * in the same place (created on demand; the notebook releases editors of cells left long ago, so
 * a 500-cell notebook keeps only a handful). Grows with its content; reports edits, focus and
 * arrow keys at its first/last line (to move between cells, as Jupyter does).
 */
import type { editor as MonacoEditor, IDisposable } from 'monaco-editor';
import { h } from '../../outputs/dom.ts';
import { highlighterIfReady, monacoIfLoaded, loadMonaco, type EditorModule } from './monaco-loader.ts';
import { createStaticCode, markStaticLines, offsetAtPoint, showHighlighted, showPlain, type StaticCode } from './static-code.ts';

export interface EditorMarker {
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface CellEditorCallbacks {
  /** The user changed the text. */
  changed(source: string): void;
  focused(): void;
  blurred(): void;
  /** Up at the first line or Down at the last: move to the neighbouring cell. */
  leave(direction: 'up' | 'down'): void;
}

const CODE_FONT = 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace';
const CODE_FONT_SIZE = 13;
const CODE_LINE_HEIGHT = 20;
const CODE_PADDING = 8;

export class CellEditor {
  readonly element: HTMLElement;
  private readonly staticView: StaticCode;
  private editor: MonacoEditor.IStandaloneCodeEditor | null = null;
  private disposables: IDisposable[] = [];
  private source: string;
  private languageId: string;
  private markers: EditorMarker[] = [];
  private readOnly = false;
  private highlighted = false;
  private applyingRemote = false;
  private creating: Promise<void> | null = null;
  /** When the editor was last focused, for releasing the least recently used ones. */
  lastUsed = 0;

  constructor(
    source: string,
    languageId: string,
    private readonly callbacks: CellEditorCallbacks,
    private readonly ariaLabel: () => string,
  ) {
    this.source = source;
    this.languageId = languageId;
    this.staticView = createStaticCode();
    this.element = h('div', 'pb-code', this.staticView.element);
    showPlain(this.staticView, source);
  }

  get hasEditor(): boolean {
    return this.editor !== null;
  }

  get hasFocus(): boolean {
    return this.editor?.hasTextFocus() ?? false;
  }

  /** Highlights the static text (when Monaco has loaded; cheap to call again). */
  highlight(): void {
    const m = highlighterIfReady();
    if (!m || this.highlighted || this.editor) return;
    this.highlighted = true;
    showHighlighted(this.staticView, this.source, this.languageId, m);
  }

  /** A new source from elsewhere (another window, an undo of a delete): keeps the cursor where it can. */
  setSource(source: string): void {
    if (source === this.source) return;
    this.source = source;
    if (!this.editor) {
      this.redrawStatic();
      return;
    }
    const model = this.editor.getModel()!;
    const current = model.getValue();
    if (current === source) return;
    // Replace only what differs, so the cursor and undo history around it stay.
    let start = 0;
    while (start < current.length && start < source.length && current[start] === source[start]) start++;
    let endOld = current.length;
    let endNew = source.length;
    while (endOld > start && endNew > start && current[endOld - 1] === source[endNew - 1]) {
      endOld--;
      endNew--;
    }
    const from = model.getPositionAt(start);
    const to = model.getPositionAt(endOld);
    this.applyingRemote = true;
    try {
      model.pushEditOperations(
        [],
        [
          {
            range: { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column },
            text: source.slice(start, endNew),
          },
        ],
        () => null,
      );
    } finally {
      this.applyingRemote = false;
    }
  }

  setLanguage(languageId: string): void {
    if (languageId === this.languageId) return;
    this.languageId = languageId;
    const m = monacoIfLoaded();
    const model = this.editor?.getModel();
    if (m && model) m.monaco.editor.setModelLanguage(model, languageId);
    else this.redrawStatic();
  }

  setMarkers(markers: EditorMarker[]): void {
    this.markers = markers;
    this.applyMarkers();
  }

  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly;
    this.editor?.updateOptions({ readOnly, domReadOnly: readOnly });
  }

  /**
   * Creates the editor if needed and focuses it; the cursor goes to `at` (a character offset,
   * the point clicked in the static text, or the start/end).
   */
  async activate(at: number | 'start' | 'end' | { x: number; y: number } = 'end'): Promise<void> {
    const offset: number | null = typeof at === 'number' ? at : at === 'start' ? 0 : at === 'end' ? null : offsetAtPoint(this.staticView, at.x, at.y);
    if (!this.editor) {
      this.creating ??= this.create();
      await this.creating;
    }
    const ed = this.editor;
    if (!ed) return;
    const model = ed.getModel()!;
    const pos = offset === null ? model.getPositionAt(model.getValueLength()) : model.getPositionAt(offset);
    if (typeof at !== 'object' || offset !== null) ed.setPosition(pos);
    ed.revealPositionInCenterIfOutsideViewport(pos);
    ed.focus();
  }

  /** Makes the editor without focusing it (the selected cell's, so Enter types at once). */
  async prepare(): Promise<void> {
    if (this.editor) return;
    this.creating ??= this.create();
    await this.creating;
  }

  /** Moves the editor's cursor to a line (an error's) and focuses it. */
  async revealLine(line: number, column = 1): Promise<void> {
    await this.activate('start');
    this.editor?.setPosition({ lineNumber: line, column });
    this.editor?.revealLineInCenterIfOutsideViewport(line);
  }

  blur(): void {
    if (this.editor?.hasTextFocus()) (document.activeElement as HTMLElement | null)?.blur();
  }

  /** Goes back to static text (frees the editor); keeps the text. */
  release(): void {
    if (!this.editor) return;
    this.source = this.editor.getValue();
    this.teardown();
    this.element.replaceChildren(this.staticView.element);
    this.highlighted = highlighterIfReady() !== null;
    this.redrawStatic();
  }

  /** Re-measures the editor's width (the window or the layout changed). */
  layout(): void {
    if (!this.editor) return;
    this.editor.layout({ width: this.element.clientWidth, height: this.editor.getContentHeight() });
  }

  dispose(): void {
    this.teardown();
    this.element.remove();
  }

  private redrawStatic(): void {
    const m = highlighterIfReady();
    if (m && this.highlighted) showHighlighted(this.staticView, this.source, this.languageId, m);
    else showPlain(this.staticView, this.source);
    markStaticLines(
      this.staticView,
      this.markers.map((mk) => mk.line),
    );
  }

  private applyMarkers(): void {
    const m = monacoIfLoaded();
    const model = this.editor?.getModel();
    if (m && model) {
      m.monaco.editor.setModelMarkers(
        model,
        'probebook',
        this.markers.map((mk) => ({
          severity: m.monaco.MarkerSeverity.Error,
          message: mk.message,
          startLineNumber: mk.line,
          startColumn: mk.column ?? (model.getLineFirstNonWhitespaceColumn(Math.min(mk.line, model.getLineCount())) || 1),
          endLineNumber: mk.endLine ?? mk.line,
          endColumn: mk.endColumn ?? model.getLineMaxColumn(Math.min(mk.endLine ?? mk.line, model.getLineCount())),
        })),
      );
    }
    markStaticLines(this.staticView, this.editor ? [] : this.markers.map((mk) => mk.line));
  }

  private async create(): Promise<void> {
    const m: EditorModule = await loadMonaco();
    if (this.editor) return;
    const height = this.staticView.element.offsetHeight;
    const host = h('div', 'pb-editor');
    host.style.height = `${height}px`;
    this.element.replaceChildren(host);
    const ed = m.monaco.editor.create(host, {
      value: this.source,
      language: this.languageId,
      readOnly: this.readOnly,
      domReadOnly: this.readOnly,
      ariaLabel: this.ariaLabel(),
      automaticLayout: false,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      scrollbar: {
        vertical: 'hidden',
        horizontal: 'auto',
        alwaysConsumeMouseWheel: false,
        verticalScrollbarSize: 0,
        horizontalScrollbarSize: 8,
        useShadows: false,
      },
      overviewRulerLanes: 0,
      overviewRulerBorder: false,
      hideCursorInOverviewRuler: true,
      lineNumbers: 'on',
      lineNumbersMinChars: 3,
      lineDecorationsWidth: 10,
      glyphMargin: false,
      folding: false,
      renderLineHighlight: 'none',
      renderLineHighlightOnlyWhenFocus: true,
      fontFamily: CODE_FONT,
      fontSize: CODE_FONT_SIZE,
      lineHeight: CODE_LINE_HEIGHT,
      padding: { top: CODE_PADDING, bottom: CODE_PADDING },
      fixedOverflowWidgets: true,
      stickyScroll: { enabled: false },
      wordWrap: 'off',
      tabSize: 2,
      insertSpaces: true,
      guides: { indentation: false, bracketPairs: false },
      bracketPairColorization: { enabled: false },
      occurrencesHighlight: 'off',
      contextmenu: true,
      'semanticHighlighting.enabled': false,
    });
    this.editor = ed;
    const resize = () => {
      const h2 = ed.getContentHeight();
      host.style.height = `${h2}px`;
      ed.layout({ width: this.element.clientWidth, height: h2 });
    };
    this.disposables.push(
      ed.onDidContentSizeChange(resize),
      ed.onDidChangeModelContent(() => {
        this.source = ed.getValue();
        if (!this.applyingRemote) this.callbacks.changed(this.source);
      }),
      // The editor is as tall as its text, so the page (not the editor) must scroll to the cursor.
      ed.onDidChangeCursorPosition(() => {
        if (ed.hasTextFocus()) requestAnimationFrame(() => this.keepCursorVisible());
      }),
      ed.onDidFocusEditorText(() => {
        this.lastUsed = Date.now();
        this.callbacks.focused();
      }),
      ed.onDidBlurEditorText(() => this.callbacks.blurred()),
      ed.onKeyDown((e) => {
        if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
        const up = e.browserEvent.key === 'ArrowUp';
        const down = e.browserEvent.key === 'ArrowDown';
        if (!up && !down) return;
        // Leave only when no suggestion list is open and the cursor is on the edge line.
        if (this.element.querySelector('.suggest-widget.visible')) return;
        const pos = ed.getPosition();
        const model = ed.getModel();
        if (!pos || !model) return;
        if ((up && pos.lineNumber === 1) || (down && pos.lineNumber === model.getLineCount())) {
          e.preventDefault();
          e.stopPropagation();
          this.callbacks.leave(up ? 'up' : 'down');
        }
      }),
    );
    resize();
    this.applyMarkers();
  }

  /** Scrolls the page so the cursor's line is not under the header or the status bar. */
  private keepCursorVisible(): void {
    const ed = this.editor;
    const pos = ed?.getPosition();
    if (!ed || !pos) return;
    const at = ed.getScrolledVisiblePosition(pos);
    if (!at) return;
    const top = ed.getDomNode()!.getBoundingClientRect().top + at.top;
    const header = document.querySelector('.pb-header')?.getBoundingClientRect().bottom ?? 0;
    const footer = document.querySelector('.pb-statusbar')?.getBoundingClientRect().top ?? window.innerHeight;
    const margin = CODE_LINE_HEIGHT;
    if (top + at.height + margin > footer) window.scrollBy(0, top + at.height + margin - footer);
    else if (top - margin < header) window.scrollBy(0, top - margin - header);
  }

  private teardown(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
    const model = this.editor?.getModel();
    this.editor?.dispose();
    model?.dispose();
    this.editor = null;
    this.creating = null;
  }
}
