/**
 * Text renderers: stdout, stderr (tinted), `text/plain` and `application/javascript` (shown as
 * text, never run). All use the virtualised {@link TextView}; streams grow in place.
 */
import { MIME } from '../../../core/common/mime.ts';
import type { ItemView, OutputRenderer } from '../registry.ts';
import { TextView, type TextKind } from './text-view.ts';

function textRenderer(id: string, mime: string, kind: TextKind, rank: number, note?: string): OutputRenderer {
  return {
    id,
    mimeTypes: [mime],
    rank,
    safe: true,
    render(item, element): ItemView {
      const view = new TextView(element, { kind, note });
      view.append(typeof item.data === 'string' ? item.data : JSON.stringify(item.data, null, 2));
      view.flush();
      return {
        append: (text) => view.append(text),
        flush: () => view.flush(),
        dispose: () => view.dispose(),
      };
    },
  };
}

export const streamRenderers: OutputRenderer[] = [
  textRenderer('stdout', MIME.stdout, 'stdout', 10),
  textRenderer('stderr', MIME.stderr, 'stderr', 10),
  textRenderer('plain', MIME.plain, 'plain', 90),
  textRenderer('javascript', MIME.javascript, 'plain', 95, 'JavaScript output is shown as text: Probebook never runs it.'),
];
