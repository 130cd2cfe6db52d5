/**
 * Who may talk to `probebook serve` (docs/security.md, "Another local user"): every local port is reachable by
 * other users and by web pages, so each request must come to a loopback or allow-listed Host
 * (DNS rebinding), from our own Origin where a browser sends one (cross-site requests and
 * WebSockets), with the session cookie or the token, and state changes need the XSRF token.
 * The one exception: the output frames' public files (see {@link frameOriginAllowed}).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Cookies are per host, not per port: the names carry the port so two servers do not clash. */
export const sessionCookie = (port: number) => `probebook_session_${port}`;
const xsrfCookie = (port: number) => `probebook_xsrf_${port}`;
const XSRF_HEADER = 'x-xsrf-token';

/** 32 random bytes, base64url (≥ 24 bytes as the team's SECURITY.md asks). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time equality of two secrets (hashing first makes the lengths equal). */
function secretsEqual(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface GuardOptions {
  token: string;
  /** Value of the session cookie handed out after a visit with the token. */
  sessionSecret: string;
  xsrfSecret: string;
  port: number;
  /** Extra Host names (without port) allowed besides loopback, from --allow-host. */
  allowedHosts: string[];
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export class RequestGuard {
  constructor(readonly options: GuardOptions) {}

  /** The `host:port` values requests may name. */
  hosts(): string[] {
    return [...LOOPBACK_HOSTS, ...this.options.allowedHosts].map((h) => `${h}:${this.options.port}`);
  }

  /** The origins our own page has. */
  origins(): string[] {
    return this.hosts().map((h) => `http://${h}`);
  }

  /** A request to another name than ours is a DNS-rebinding attempt (or a mistake). */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && this.hosts().includes(host);
  }

  /**
   * Exact match of the Origin header. Browsers send it on cross-site requests, on every POST and
   * on every WebSocket handshake; `required` refuses its absence (WebSocket, state changes).
   */
  originAllowed(req: IncomingMessage, required: boolean): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return !required;
    return this.origins().includes(origin);
  }

  /**
   * For the output frames' own files only (GET/HEAD): no Origin, our own, or `null` — the opaque
   * origin of our sandboxed frames, which is all a browser says for them. Another site is refused.
   */
  frameOriginAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === undefined || origin === 'null' || this.origins().includes(origin);
  }

  /** The session cookie, or the token in an `Authorization: token …` header (scripts). */
  authenticated(req: IncomingMessage): boolean {
    const cookies = parseCookies(req.headers.cookie);
    if (secretsEqual(cookies[sessionCookie(this.options.port)], this.options.sessionSecret)) return true;
    const auth = req.headers.authorization;
    const m = auth ? /^token\s+(\S+)$/i.exec(auth) : null;
    return m !== null && secretsEqual(m[1], this.options.token);
  }

  tokenMatches(token: string | null): boolean {
    return token !== null && secretsEqual(token, this.options.token);
  }

  /** Double-submit XSRF check: the header must carry the cookie's value. */
  xsrfValid(req: IncomingMessage): boolean {
    const header = req.headers[XSRF_HEADER];
    return (
      typeof header === 'string' &&
      secretsEqual(header, this.options.xsrfSecret) &&
      secretsEqual(parseCookies(req.headers.cookie)[xsrfCookie(this.options.port)], this.options.xsrfSecret)
    );
  }

  /** Cookies set when the token is presented. */
  loginCookies(): string[] {
    return [
      `${sessionCookie(this.options.port)}=${this.options.sessionSecret}; Path=/; HttpOnly; SameSite=Strict`,
      // Readable by the page so it can echo it in the XSRF header; useless to other origins.
      `${xsrfCookie(this.options.port)}=${this.options.xsrfSecret}; Path=/; SameSite=Strict`,
    ];
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
