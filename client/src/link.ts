import type { CloseInfo, Data, ReconnectInfo } from './wsroute.js';

/** What carries frames to the server: an own WebSocket (Conn) or a tab of a shared one (Shared). */
export interface Link {
  /** Sends d now and returns true, or returns false when it cannot (not open). */
  send(d: Data): boolean;
  /** Stops the link without reporting to its sink. */
  close(code?: number, reason?: string): void;
}

/** What a link reports to: the Client. */
export interface Sink {
  open(): void;
  drop(info: ReconnectInfo): void;
  stop(info: CloseInfo): void;
  data(d: unknown): void;
  error(err: Error): void;
  /** Sends d through the client's buffer: how a shared leader sends for other tabs. */
  out(d: Data): boolean;
}

/** The options with their defaults filled in. */
export interface Config {
  autoReconnect: boolean;
  shared: boolean;
  token?: string | (() => string | Promise<string>);
  reconnectDelay: number;
  maxReconnectDelay: number;
  maxReconnectAttempts: number;
  requestTimeout: number;
  bufferLimit: number;
}

/** Calls fn when the network comes back or the page becomes visible; returns the undo. */
export function onWake(fn: () => void): () => void {
  const g = globalThis as any;
  const vis = () => {
    if (g.document.visibilityState === 'visible') fn();
  };
  g.addEventListener?.('online', fn);
  g.document?.addEventListener('visibilitychange', vis);
  return () => {
    g.removeEventListener?.('online', fn);
    g.document?.removeEventListener('visibilitychange', vis);
  };
}
