/** Messages between the TypeScript kernel and a notebook's context process (Node IPC). */
import type { CellErrorData } from '../../../common/mime.ts';

export type ContextRequest =
  | { type: 'run'; id: string; script: string; sourceName: string; prefixLength: number; map: string; cwd: string; params: Record<string, string> }
  | { type: 'result'; callId: number; value?: unknown; error?: string };

export type ContextReply =
  | { type: 'ready' }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; items: { mime: string; data: unknown }[]; displayId?: string; update?: boolean }
  | { type: 'call'; callId: number; method: 'cell' | 'run'; args: unknown[] }
  | { type: 'done'; id: string; ok: boolean; interrupted?: boolean; error?: CellErrorData };
