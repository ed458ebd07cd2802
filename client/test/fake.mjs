// A fake WebSocket for the unit tests: it records what the client does and lets a test
// play the server (open, message, close) by hand.
export class FakeSocket {
  static all = [];
  static get last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  constructor(url, protocols) {
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
