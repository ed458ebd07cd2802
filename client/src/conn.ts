import { backoff, retryable, STABLE_MS } from './backoff.js';
import type { Config, Link, Sink } from './link.js';
import { onWake } from './link.js';
import type { Data } from './wsroute.js';

/** The subprotocol a wsroute server echoes; a token rides beside it as "csrf.<token>". */
const PROTOCOL = 'wsroute';

/** Conn is a tab's own WebSocket, reconnected by the close-code table with full-jitter backoff. */
export class Conn implements Link {
  private ws?: WebSocket;
  private timer?: ReturnType<typeof setTimeout>;
  private stable?: ReturnType<typeof setTimeout>;
  private attempt = 0;
  private refreshed = false;
  private tok?: string;
  private done = false;
  private unwake: () => void;

  constructor(
    private url: string,
    private c: Config,
    private sink: Sink,
  ) {
    this.unwake = onWake(() => this.now());
    this.dial();
  }

  send(d: Data): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(d as string); // any Data: the DOM typing rejects views over a SharedArrayBuffer
    return true;
  }

  close(code?: number, reason?: string): void {
    this.done = true;
    this.unwake();
    clearTimeout(this.timer);
    clearTimeout(this.stable);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = null;
      try {
        ws.close(code, reason);
      } catch {
        ws.close(); // a code the browser refuses to send (not 1000 or 3000–4999)
      }
    }
  }

  /** Retries at once when a retry is waiting: the network is back or the page is visible again. */
  now(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.dial();
    }
  }

  private async dial(): Promise<void> {
    this.timer = undefined;
    const t = this.c.token;
    let protocols: string[] | undefined;
    if (t) {
      try {
        if (this.tok === undefined) this.tok = typeof t === 'function' ? await t() : t;
      } catch (e) {
        if (this.done) return;
        this.sink.error(e instanceof Error ? e : new Error(String(e)));
        return this.lost(1006, 'token unavailable');
      }
      if (this.done) return;
      protocols = [PROTOCOL, 'csrf.' + this.tok];
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, protocols);
    } catch (e) {
      // Such as a token with characters a subprotocol cannot hold: a failed attempt.
      this.sink.error(e as Error);
      return this.lost(1006, String(e));
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.stable = setTimeout(() => {
        this.attempt = 0;
        this.refreshed = false;
      }, STABLE_MS);
      this.sink.open();
    };
    ws.onmessage = (e) => this.sink.data(e.data);
    ws.onclose = (e) => {
      this.ws = undefined;
      clearTimeout(this.stable);
      this.lost(e.code, e.reason);
    };
  }

  private lost(code: number, reason: string): void {
    const c = this.c;
    if (code === 4002 && typeof c.token === 'function' && !this.refreshed) {
      // The token was refused: fetch a fresh one and try once more, at once.
      this.refreshed = true;
      this.tok = undefined;
      return this.retry(code, reason, 0, 0);
    }
    if (!c.autoReconnect || !retryable(code) || this.attempt >= c.maxReconnectAttempts) {
      this.close();
      return this.sink.stop({ code, reason });
    }
    this.retry(code, reason, ++this.attempt, backoff(this.attempt - 1, c.reconnectDelay, c.maxReconnectDelay));
  }

  private retry(code: number, reason: string, attempt: number, delay: number): void {
    this.timer = setTimeout(() => this.dial(), delay);
    this.sink.drop({ code, reason, attempt, delay });
  }
}
