/** Messages between the TypeScript kernel and a notebook's context process (Node IPC). */
import type { CellErrorData } from '../../../common/mime.ts';

/**
 * One edit on one line, 0-based: script columns `from`…`to` hold inserted text and stand for
 * esbuild's column `at`; from `to` on, script column `to + n` is esbuild's `after + n`.
 */
export type EditSpan = [line: number, from: number, to: number, at: number, after: number];

export type ContextRequest =
  | { type: 'run'; id: string; script: string; sourceName: string; spans: EditSpan[]; map: string; cwd: string; params: Record<string, string> }
  | { type: 'result'; callId: number; value?: unknown; error?: string };

export type ContextReply =
  | { type: 'ready' }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; items: { mime: string; data: unknown }[]; displayId?: string; update?: boolean }
  | { type: 'call'; callId: number; method: 'cell' | 'run'; args: unknown[] }
  | { type: 'done'; id: string; ok: boolean; interrupted?: boolean; error?: CellErrorData };
