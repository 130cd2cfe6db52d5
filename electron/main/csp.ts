/**
 * The Content-Security-Policy and other headers of everything the app serves on `app://`.
 * Scripts come only from the app's own files; nothing loads from the network.
 */
import { PAGE_CSP } from '../../core/common/page-csp.ts';

export const CONTENT_SECURITY_POLICY = PAGE_CSP;

/** Headers sent with every app response besides its Content-Type. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};
