import { Conn } from './conn.js';
import type { Config, Link, Sink } from './link.js';
import { onWake } from './link.js';
import type { Data } from './wsroute.js';

/**
 * The messages tabs exchange on the BroadcastChannel, by their field t. From the leader:
 * o (open), d (dropped, i: ReconnectInfo), x (stopped, i: CloseInfo), m (a message, d),
 * b (the leader tab leaves). From a follower: h (hello: am I open?), s (send d),
 * n (retry now: network back or page visible).
 */
type Msg = { t: string; d?: any; i?: any };

/**
 * Shares one connection to url between the tabs of the origin, or returns undefined
 * when the browser lacks Web Locks or BroadcastChannel (the client then opens its own).
 * The tab holding the Web Lock named after the URL is the leader: it owns a Conn and
 * relays its frames; when it goes away the lock passes to another tab, which connects.
 */
export function share(url: string, c: Config, sink: Sink): Link | undefined {
  const g = globalThis as any;
  const locks = g.navigator?.locks;
  if (!locks || typeof BroadcastChannel !== 'function') return;
  const name = 'wsroute ' + url;
  const bc = new BroadcastChannel(name);
  const abort = new AbortController();
  let conn: Conn | undefined;
  let release: (() => void) | undefined;
  let isOpen = false; // leader: the Conn is open; follower: the leader said it is
  const left = { code: 1001, reason: 'leader tab left', attempt: 0, delay: 0 };
  let done = false;
  let stopped = false;
  const post = (m: Msg) => done || bc.postMessage(m);

  // The leader's reports go to this tab and to every other.
  const tee: Sink = {
    open() {
      isOpen = true;
      sink.open();
      post({ t: 'o' });
    },
    drop(i) {
      isOpen = false;
      sink.drop(i);
      post({ t: 'd', i });
    },
    stop(i) {
      stopped = true;
      post({ t: 'x', i });
      sink.stop(i);
    },
    data(d) {
      sink.data(d);
      post({ t: 'm', d });
    },
    error: (e) => sink.error(e),
    out: (d) => sink.out(d),
  };

  bc.onmessage = (e: MessageEvent<Msg>) => {
    const m = e.data;
    if (conn) {
      if (m.t === 'h' && isOpen) post({ t: 'o' });
      else if (m.t === 's') sink.out(m.d);
      else if (m.t === 'n') conn.now();
    } else if (m.t === 'm') sink.data(m.d);
    else if (m.t === 'o') {
      isOpen = true;
      sink.open();
    } else if (m.t === 'x') sink.stop(m.i);
    else if (m.t === 'd' || m.t === 'b') {
      // A takeover may be announced twice (the old leader's goodbye, the new one's drop).
      const i = m.t === 'd' ? m.i : left;
      if (isOpen || i.attempt) sink.drop(i);
      isOpen = false;
    }
  };

  const bye = () => conn && !stopped && post({ t: 'b' });
  const unwake = onWake(() => conn || post({ t: 'n' }));
  g.addEventListener?.('pagehide', bye);

  locks
    .request(name, { signal: abort.signal }, () => {
      if (done) return;
      // A leader that vanished without a goodbye (a crashed tab) left this tab open.
      if (isOpen) tee.drop(left);
      conn = new Conn(url, c, tee);
      return new Promise<void>((r) => (release = r));
    })
    .catch(() => {}); // aborted: this tab closed before it led
  post({ t: 'h' });

  return {
    send(d: Data): boolean {
      if (conn) return conn.send(d);
      post({ t: 's', d });
      return true;
    },
    close(code?: number, reason?: string): void {
      if (done) return;
      bye();
      done = true;
      abort.abort();
      unwake();
      g.removeEventListener?.('pagehide', bye);
      conn?.close(code, reason);
      // After a stop, hold the lock a moment: the others must hear "x" and stop too
      // before one of them could lead and connect again.
      if (release && stopped) setTimeout(release, 1000);
      else release?.();
      bc.close();
    },
  };
}
