import { retryCodes } from './closecodes.js';

/** How long a connection must stay up, in ms, before the attempt count and the token refresh reset. */
export const STABLE_MS = 5000;

/**
 * The wait before retry number attempt (from 0): full jitter, a uniform draw between 0 and
 * min(max, base·2^attempt), so that clients dropped together do not come back together.
 */
export function backoff(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(max, base * 2 ** attempt));
}

/** Whether the client reconnects after code: the Retry column of the server's close-code table. */
export function retryable(code: number): boolean {
  return retryCodes.has(code);
}
