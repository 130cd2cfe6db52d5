import type { ErrorCode } from '../../common/protocol.ts';
import { OutsideRootError } from './served-root.ts';

/** A request that failed for a reason the UI shows as it is. */
export class HostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The protocol's code for an error a request failed with. */
export function codeOf(error: unknown): ErrorCode {
  if (error instanceof HostError) return error.code;
  if (error instanceof OutsideRootError) return 'forbidden';
  return 'internal';
}
