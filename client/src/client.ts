import { Conn } from './conn.js';
import type { Config, Link, Sink } from './link.js';
import { share } from './shared.js';
import type { CloseInfo, Data, Options, ReconnectInfo, RequestOptions, Socket, State } from './wsroute.js';

const defaults: Config = {
  autoReconnect: true,
  shared: false,
  reconnectDelay: 3000,
  maxReconnectDelay: 20000,
  maxReconnectAttempts: 10,
  requestTimeout: 10000,
  bufferLimit: 100,
};

/** The events of the socket itself; a message whose type is one of these is not dispatched by type. */
const reserved = ['open', 'close', 'error', 'message', 'reconnecting'];

/**
 * Every callbackid this client makes starts with "wsr"; a reply with such an id that no
 * request here waits for (another tab's, or one that timed out) is not a message.
 */
const ours = 'wsr';

interface Pending {
  resolve(v: any): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
  sent: boolean;
}

/** Resolves path against the page, with ws: or wss: to match it. */
export function resolveURL(path: string): string {
  const u = new URL(path, (globalThis as any).location?.href);
  u.protocol = u.protocol.replace('http', 'ws');
  return u.href;
}

/** Encodes a value as send does: binary and strings as they are, everything else as JSON. */
export function encode(v: unknown): Data {
  if (typeof v === 'string' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
  if (typeof Blob !== 'undefined' && v instanceof Blob) return v;
  return JSON.stringify(v);
}

/** Decodes a message: the JSON a text frame holds, or the frame's raw data. */
export function decode(d: unknown): unknown {
  if (typeof d === 'string') {
    try {
      return JSON.parse(d);
    } catch {
      // not JSON: a @text route
    }
  }
  return d;
}

/** Client is the Socket that connect returns. */
export class Client implements Socket, Sink {
  state: State = 'connecting';
  private c: Config;
  private link: Link;
  private h = new Map<string, Set<(...a: any[]) => void>>();
  private buf: { d: Data; id?: string }[] = [];
  private pend = new Map<string, Pending>();
  private prefix = ours + Math.random().toString(36).slice(2, 10) + '.';
  private n = 0;

  constructor(path: string, o: Options) {
    const c: Config = { ...defaults };
    for (const k in o) if ((o as any)[k] !== undefined) (c as any)[k] = (o as any)[k];
    this.c = c;
    const url = resolveURL(path);
    this.link = (c.shared && share(url, c, this)) || new Conn(url, c, this);
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  on(ev: string, fn: (...a: any[]) => void): this {
    let s = this.h.get(ev);
    if (!s) this.h.set(ev, (s = new Set()));
    s.add(fn);
    return this;
  }

  off(ev: string, fn: (...a: any[]) => void): this {
    this.h.get(ev)?.delete(fn);
    return this;
  }

  send(value: unknown): boolean {
    return this.out(encode(value));
  }

  request<T = any>(value: unknown, o: RequestOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.prefix + ++this.n;
      const timer = setTimeout(() => this.settle(id, new Error('wsroute: request timed out')), o.timeout ?? this.c.requestTimeout);
      this.pend.set(id, { resolve, reject, timer, sent: false });
      const body = value && typeof value === 'object' && !Array.isArray(value) ? { ...value, callbackid: id } : { data: value, callbackid: id };
      if (!this.out(JSON.stringify(body), id)) this.settle(id, new Error('wsroute: request not sent'));
    });
  }

  close(code = 1000, reason = ''): void {
    if (this.state === 'closed') return;
    this.link.close(code, reason);
    this.stop({ code, reason });
  }

  /** Sends d now when open, or buffers it; id marks a request as sent. */
  out(d: Data, id?: string): boolean {
    if (this.state === 'closed') {
      this.error(new Error('wsroute: socket closed'));
      return false;
    }
    if (this.state === 'open' && this.link.send(d)) {
      this.sent(id);
      return true;
    }
    if (this.buf.length >= this.c.bufferLimit) {
      this.error(new Error('wsroute: send buffer full (bufferLimit ' + this.c.bufferLimit + ')'));
      return false;
    }
    this.buf.push({ d, id });
    return true;
  }

  open(): void {
    if (this.state === 'open' || this.state === 'closed') return;
    this.state = 'open';
    let i = 0;
    for (; i < this.buf.length && this.link.send(this.buf[i].d); i++) this.sent(this.buf[i].id);
    this.buf.splice(0, i);
    this.emit('open');
  }

  drop(info: ReconnectInfo): void {
    if (this.state === 'closed') return;
    this.state = 'reconnecting';
    // A reply to a request sent on the lost connection can no longer come.
    for (const [id, p] of this.pend) if (p.sent) this.settle(id, new Error('wsroute: connection lost (' + info.code + ')'));
    this.emit('reconnecting', info);
  }

  stop(info: CloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.link.close();
    this.buf = [];
    for (const id of [...this.pend.keys()]) this.settle(id, new Error('wsroute: socket closed (' + info.code + ')'));
    this.emit('close', info);
  }

  data(d: unknown): void {
    const m: any = decode(d);
    const id = m?.callbackid;
    if (typeof id === 'string' && id.startsWith(ours)) {
      // A reply: to one of our requests, or to another tab's (shared mode).
      this.settle(id, undefined, m);
      return;
    }
    this.emit('message', m);
    const t = m?.type;
    if (typeof t === 'string' && !reserved.includes(t)) this.emit(t, m);
  }

  error(err: Error): void {
    this.emit('error', err);
  }

  private sent(id?: string): void {
    const p = id && this.pend.get(id);
    if (p) p.sent = true;
  }

  private settle(id: string, err?: Error, v?: unknown): void {
    const p = this.pend.get(id);
    if (!p) return;
    this.pend.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(v);
  }

  private emit(ev: string, arg?: unknown): void {
    for (const fn of [...(this.h.get(ev) || [])]) {
      try {
        fn(arg);
      } catch (e) {
        // One listener's exception must not stop the others nor the client: report it.
        setTimeout(() => {
          throw e;
        }, 0);
      }
    }
  }
}
