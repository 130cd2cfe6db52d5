/**
 * Who may call the app over IPC: only the top frame of one of our windows, showing the app
 * origin. A compromised output frame, a navigated-away page or a destroyed frame gets nothing.
 */
import { isAppOrigin, isAppUrl } from '../shared/app-origin.ts';

/** What main knows about an IPC event's sender, reduced to plain data. */
export interface SenderFacts {
  /** `event.senderFrame`: null when the frame navigated or was destroyed meanwhile. */
  frame: { url: string; origin: string; isTop: boolean } | null;
  /** Whether `event.sender` belongs to a window this app created. */
  fromAppWindow: boolean;
}

/** Why the sender is refused, or null when it may call. */
export function senderProblem(facts: SenderFacts): string | null {
  if (!facts.fromAppWindow) return 'the sender is not a Probebook window';
  const frame = facts.frame;
  if (frame === null) return 'the sending frame is gone (navigated or destroyed)';
  if (!frame.isTop) return 'the sender is a subframe, not the page';
  if (!isAppUrl(frame.url) || !isAppOrigin(frame.origin)) {
    return `the sender is not on the app origin (${frame.origin || frame.url})`;
  }
  return null;
}
