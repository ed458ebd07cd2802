// A fake WebSocket for the unit tests: it records what the client does and lets a test
// play the server (open, message, close) by hand.
export class FakeSocket {
  static all = [];
  static get last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  constructor(url, protocols) {
    // As browsers do: a subprotocol must be a token (no spaces, commas, quotes…).
    if (protocols?.some((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))) throw new SyntaxError('invalid subprotocol ' + protocols);
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    this.closed = null;
    FakeSocket.all.push(this);
  }

  send(d) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(d);
  }

  close(code, reason) {
    this.readyState = 3;
    this.closed = { code, reason };
  }

  // The server's side.
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  message(data) {
    this.onmessage?.({ data });
  }
  drop(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

// install sets up the globals the client reads: WebSocket, location, and window events.
export function install(href = 'http://example.test/app/page.html') {
  FakeSocket.all = [];
  const events = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = 'visible';
  Object.assign(globalThis, {
    WebSocket: FakeSocket,
    location: { href },
    document: doc,
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    dispatchEvent: events.dispatchEvent.bind(events),
  });
}

// settle lets pending promise callbacks run (the token() await) without moving the clock.
export const settle = () => new Promise((r) => setImmediate(r));

// FakeLocks is navigator.locks for tabs simulated in one process: exclusive locks granted
// in request order, released when the callback's promise settles; a waiting request is
// dropped when its signal aborts.
export class FakeLocks {
  queues = new Map();

  request(name, options, cb) {
    return new Promise((resolve, reject) => {
      const q = this.queues.get(name) ?? [];
      this.queues.set(name, q);
      const entry = { cb, resolve, reject, held: false };
      options.signal?.addEventListener('abort', () => {
        if (entry.held) return;
        q.splice(q.indexOf(entry), 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
      q.push(entry);
      this.grant(name);
    });
  }

  async grant(name) {
    const q = this.queues.get(name);
    const head = q[0];
    if (!head || head.held) return;
    head.held = true;
    try {
      head.resolve(await head.cb({ name }));
    } catch (e) {
      head.reject(e);
    }
    q.shift();
    this.grant(name);
  }
}

// until lets the event loop run (BroadcastChannel deliveries, lock grants) until cond()
// holds, without moving the fake clock.
export async function until(cond, what = 'condition') {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('never happened: ' + what);
}
