// The built client, dist/wsroute.js, against a fake WebSocket on fake timers: reconnect
// by close code, backoff and its reset, the 4002 token refresh, the offline buffer,
// request/reply, and events.
import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../dist/wsroute.js';
import { FakeSocket, install, settle } from './fake.mjs';

beforeEach(() => {
  install();
  mock.timers.enable({ apis: ['setTimeout'] });
  mock.method(Math, 'random', () => 0.5);
});
afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

// record collects every event of ws, in order.
function record(ws, ...events) {
  const got = [];
  for (const ev of events) ws.on(ev, (a) => got.push(a === undefined ? [ev] : [ev, a]));
  return got;
}

test('a relative path resolves against the page, with ws: or wss: to match', () => {
  const cases = [
    ['http://example.test/app/page.html', '/chat/room1/', 'ws://example.test/chat/room1/'],
    ['https://example.test/app/page.html', '/chat/room1/', 'wss://example.test/chat/room1/'],
    ['https://example.test:8443/app/page.html', 'chat/r/', 'wss://example.test:8443/app/chat/r/'],
    ['http://example.test/', 'ws://other.test/x/', 'ws://other.test/x/'],
    ['http://example.test/', 'https://other.test/x/?a=1', 'wss://other.test/x/?a=1'],
  ];
  for (const [page, path, want] of cases) {
    install(page);
    const ws = connect(path);
    assert.equal(FakeSocket.last.url, want, `${path} on ${page}`);
    ws.close();
  }
});

test('state, connected, open and close', () => {
  const ws = connect('/a/');
  const got = record(ws, 'open', 'close');
  assert.equal(ws.state, 'connecting');
  assert.equal(ws.connected, false);
  FakeSocket.last.open();
  assert.equal(ws.state, 'open');
  assert.equal(ws.connected, true);
  ws.close(4321, 'bye');
  assert.equal(ws.state, 'closed');
  assert.deepEqual(FakeSocket.last.closed, { code: 4321, reason: 'bye' });
  assert.deepEqual(got, [['open'], ['close', { code: 4321, reason: 'bye' }]]);
  ws.close(); // a second close does nothing
  assert.equal(got.length, 2);
});

test('send encodes objects as JSON, strings as text and binary as binary', () => {
  const ws = connect('/a/');
  const s = FakeSocket.last;
  s.open();
  const bytes = new Uint8Array([1, 2, 3]);
  const buf = new ArrayBuffer(2);
  ws.send({ type: 'hi', n: 1 });
  ws.send('plain');
  ws.send(bytes);
  ws.send(buf);
  ws.send([1, 'a']);
  assert.deepEqual(s.sent, ['{"type":"hi","n":1}', 'plain', bytes, buf, '[1,"a"]']);
  assert.equal(s.sent[2], bytes, 'a typed array is sent as it is');
});

test('messages: parsed JSON, raw data otherwise, and events by type', () => {
  const ws = connect('/a/');
  const got = record(ws, 'message', 'chat', 'close');
  const s = FakeSocket.last;
  s.open();
  s.message('{"type":"chat","body":"hi"}');
  s.message('not json');
  const bin = new ArrayBuffer(3);
  s.message(bin);
  s.message('{"type":"close","x":1}'); // a type that names a socket event is not dispatched as one
  assert.deepEqual(got, [
    ['message', { type: 'chat', body: 'hi' }],
    ['chat', { type: 'chat', body: 'hi' }],
    ['message', 'not json'],
    ['message', bin],
    ['message', { type: 'close', x: 1 }],
  ]);
  const fn = () => assert.fail('removed listener called');
  ws.on('chat', fn).off('chat', fn);
  s.message('{"type":"chat"}');
});

test('a listener that throws does not stop the others', () => {
  const ws = connect('/a/');
  let second = 0;
  ws.on('open', () => {
    throw new Error('listener bug');
  });
  ws.on('open', () => second++);
  FakeSocket.last.open();
  assert.equal(second, 1);
  assert.throws(() => mock.timers.tick(0), /listener bug/, 'the exception is rethrown from a timer, as an uncaught error');
});

test('request sets callbackid and resolves with the reply', async () => {
  const ws = connect('/a/');
  const s = FakeSocket.last;
  s.open();
  const messages = record(ws, 'message');
  const p = ws.request({ type: 'sum', a: 1, b: 2 });
  const req = JSON.parse(s.sent[0]);
  assert.equal(req.type, 'sum');
  assert.equal(typeof req.callbackid, 'string');
  const p2 = ws.request('ping');
  const req2 = JSON.parse(s.sent[1]);
  assert.equal(req2.data, 'ping', 'a value that is not an object goes as {data: value}');
  assert.notEqual(req2.callbackid, req.callbackid);
  s.message(JSON.stringify({ callbackid: req2.callbackid, data: 'pong' }));
  s.message(JSON.stringify({ callbackid: req.callbackid, sum: 3 }));
  assert.deepEqual(await p, { callbackid: req.callbackid, sum: 3 });
  assert.deepEqual(await p2, { callbackid: req2.callbackid, data: 'pong' });
  s.message(JSON.stringify({ callbackid: req.callbackid, sum: 3 }));
  assert.deepEqual(messages, [], 'replies, even late or repeated ones, are not messages');
  s.message(JSON.stringify({ callbackid: 7, other: true }));
  assert.deepEqual(messages, [['message', { callbackid: 7, other: true }]], 'a callbackid we did not make is a message');
});

test('request rejects on timeout, on a dropped connection and on close', async () => {
  const ws = connect('/a/', { requestTimeout: 1000, reconnectDelay: 100 });
  const s = FakeSocket.last;
  s.open();
  const slow = ws.request({ q: 1 });
  const quick = ws.request({ q: 2 }, { timeout: 50 });
  mock.timers.tick(50);
  await assert.rejects(quick, /timed out/);
  mock.timers.tick(950);
  await assert.rejects(slow, /timed out/);

  const lost = ws.request({ q: 3 });
  s.drop(1006);
  await assert.rejects(lost, /connection lost \(1006\)/);
  const waiting = ws.request({ q: 4 }); // buffered while reconnecting
  ws.close();
  await assert.rejects(waiting, /socket closed/);
  await assert.rejects(ws.request({ q: 5 }), /not sent/);
});

test('sends while not open wait in the buffer and go out in order on open, before the open event', () => {
  const ws = connect('/a/', { reconnectDelay: 100 });
  let s = FakeSocket.last;
  const order = [];
  ws.on('open', () => order.push(['open', s.sent.length]));
  ws.send({ n: 1 });
  ws.send('two');
  s.open();
  assert.deepEqual(s.sent, ['{"n":1}', 'two']);
  s.drop(1012, 'service restart');
  ws.send({ n: 3 });
  ws.send({ n: 4 });
  mock.timers.tick(100);
  s = FakeSocket.last;
  assert.equal(FakeSocket.all.length, 2);
  s.open();
  assert.deepEqual(s.sent, ['{"n":3}', '{"n":4}']);
  assert.deepEqual(order, [['open', 2], ['open', 2]]);
});

test('a full buffer drops the send and emits error', () => {
  const ws = connect('/a/', { bufferLimit: 2 });
  const errors = record(ws, 'error');
  assert.equal(ws.send(1), true);
  assert.equal(ws.send(2), true);
  assert.equal(ws.send(3), false);
  assert.equal(errors.length, 1);
  assert.match(errors[0][1].message, /buffer full/);
  FakeSocket.last.open();
  assert.deepEqual(FakeSocket.last.sent, ['1', '2']);
  ws.close();
  assert.equal(ws.send(4), false, 'nothing is sent after close');
  assert.match(errors[1][1].message, /closed/);
});

test('retried codes reconnect with full-jitter backoff', () => {
  const ws = connect('/a/', { reconnectDelay: 100, maxReconnectDelay: 1000 });
  const got = record(ws, 'reconnecting', 'close');
  FakeSocket.last.open();
  // Math.random is 0.5: the waits are half of 100, 200, 400, 800, then of the 1000 cap.
  const want = [50, 100, 200, 400, 500, 500];
  for (const [i, code] of [1006, 1001, 1012, 1011, 4008, 1000].entries()) {
    FakeSocket.last.drop(code, 'r' + i);
    assert.equal(ws.state, 'reconnecting');
    assert.deepEqual(got[i], ['reconnecting', { code, reason: 'r' + i, attempt: i + 1, delay: want[i] }]);
    const n = FakeSocket.all.length;
    mock.timers.tick(want[i] - 1);
    assert.equal(FakeSocket.all.length, n, `no attempt before ${want[i]} ms`);
    mock.timers.tick(1);
    assert.equal(FakeSocket.all.length, n + 1, `attempt ${i + 1} after ${want[i]} ms`);
  }
  assert.equal(ws.state, 'reconnecting', 'still reconnecting until the server answers');
});

test('the backoff resets only after a connection stayed up 5 s', () => {
  const ws = connect('/a/', { reconnectDelay: 100, maxReconnectDelay: 100000 });
  const got = record(ws, 'reconnecting');
  const cycle = (upFor) => {
    FakeSocket.last.open();
    mock.timers.tick(upFor);
    FakeSocket.last.drop(1006);
    mock.timers.tick(got[got.length - 1][1].delay);
  };
  cycle(10);
  cycle(4999); // not long enough
  cycle(10);
  assert.deepEqual(got.map((g) => g[1].attempt), [1, 2, 3]);
  cycle(5000);
  assert.equal(got[3][1].attempt, 1, 'a connection up 5 s resets the attempts');
  assert.equal(got[3][1].delay, 50);
});

test('stop codes end the socket with a close event and no retry', () => {
  for (const code of [4001, 4003, 1008, 1009, 4000, 1002, 4002, 4321]) {
    install();
    const ws = connect('/a/', { reconnectDelay: 10 });
    const got = record(ws, 'reconnecting', 'close');
    FakeSocket.last.open();
    FakeSocket.last.drop(code, 'no');
    mock.timers.tick(100000);
    assert.equal(FakeSocket.all.length, 1, `${code}: no new connection`);
    assert.equal(ws.state, 'closed', `${code}`);
    assert.deepEqual(got, [['close', { code, reason: 'no' }]], `${code}`);
  }
});

test('autoReconnect: false stops on any drop', () => {
  const ws = connect('/a/', { autoReconnect: false });
  const got = record(ws, 'close');
  FakeSocket.last.drop(1006);
  mock.timers.tick(100000);
  assert.equal(FakeSocket.all.length, 1);
  assert.deepEqual(got, [['close', { code: 1006, reason: '' }]]);
});

test('maxReconnectAttempts failed retries in a row stop the socket', () => {
  const ws = connect('/a/', { reconnectDelay: 10, maxReconnectAttempts: 3 });
  const got = record(ws, 'reconnecting', 'close');
  for (let i = 0; i < 4; i++) {
    FakeSocket.last.drop(1006, 'refused');
    mock.timers.tick(1000);
  }
  assert.equal(FakeSocket.all.length, 4, 'the first try and three retries');
  assert.deepEqual(got.map((g) => g[0]), ['reconnecting', 'reconnecting', 'reconnecting', 'close']);
  assert.equal(ws.state, 'closed');
});

test('4002: the token is fetched once more, then a second refusal stops', async () => {
  let calls = 0;
  const ws = connect('/a/', { token: () => Promise.resolve('t' + ++calls), reconnectDelay: 10 });
  const got = record(ws, 'reconnecting', 'close', 'open');
  assert.equal(FakeSocket.all.length, 0, 'the token is fetched before dialing');
  await settle();
  assert.deepEqual(FakeSocket.last.protocols, ['wsroute', 'csrf.t1']);
  FakeSocket.last.open();
  FakeSocket.last.drop(4002, 'expired csrf token');
  assert.deepEqual(got[1], ['reconnecting', { code: 4002, reason: 'expired csrf token', attempt: 0, delay: 0 }]);
  mock.timers.tick(0);
  await settle();
  assert.equal(calls, 2);
  assert.deepEqual(FakeSocket.last.protocols, ['wsroute', 'csrf.t2']);
  FakeSocket.last.open();
  FakeSocket.last.drop(1006); // an ordinary drop reuses the token
  mock.timers.tick(1000);
  await settle();
  assert.equal(calls, 2);
  assert.deepEqual(FakeSocket.last.protocols, ['wsroute', 'csrf.t2']);
  FakeSocket.last.open();
  FakeSocket.last.drop(4002, 'invalid csrf token');
  mock.timers.tick(100000);
  await settle();
  assert.equal(calls, 2, 'refused again: no third token');
  assert.deepEqual(got[got.length - 1], ['close', { code: 4002, reason: 'invalid csrf token' }]);
});

test('after a connection stays up, a later 4002 refreshes the token again', async () => {
  let calls = 0;
  const ws = connect('/a/', { token: () => 't' + ++calls });
  await settle();
  FakeSocket.last.open();
  FakeSocket.last.drop(4002);
  mock.timers.tick(0);
  await settle();
  FakeSocket.last.open();
  mock.timers.tick(5000);
  FakeSocket.last.drop(4002);
  mock.timers.tick(0);
  await settle();
  assert.equal(calls, 3);
  assert.equal(ws.state, 'reconnecting');
  ws.close();
});

test('a token string is sent as is; a failing token() emits error and retries', async () => {
  connect('/a/', { token: 'abc' }).close();
  await settle();
  assert.deepEqual(FakeSocket.last.protocols, ['wsroute', 'csrf.abc']);
  FakeSocket.all = [];
  let fail = true;
  const ws = connect('/b/', { reconnectDelay: 10, token: async () => (fail ? Promise.reject(new Error('offline')) : 'ok') });
  const got = record(ws, 'error', 'reconnecting');
  await settle();
  assert.equal(FakeSocket.all.length, 0);
  assert.equal(got[0][1].message, 'offline');
  assert.equal(got[1][0], 'reconnecting');
  fail = false;
  mock.timers.tick(100);
  await settle();
  assert.deepEqual(FakeSocket.last.protocols, ['wsroute', 'csrf.ok']);
  assert.equal(connect('/c/').state, 'connecting');
  assert.equal(FakeSocket.last.protocols, undefined, 'no token, no subprotocol');
});

test('online and a page that becomes visible retry at once', () => {
  const ws = connect('/a/', { reconnectDelay: 10000 });
  FakeSocket.last.drop(1006);
  assert.equal(FakeSocket.all.length, 1);
  dispatchEvent(new Event('online'));
  assert.equal(FakeSocket.all.length, 2, 'online: retried without waiting');
  FakeSocket.last.drop(1006);
  document.visibilityState = 'hidden';
  document.dispatchEvent(new Event('visibilitychange'));
  assert.equal(FakeSocket.all.length, 2, 'hidden: no retry');
  document.visibilityState = 'visible';
  document.dispatchEvent(new Event('visibilitychange'));
  assert.equal(FakeSocket.all.length, 3, 'visible: retried');
  FakeSocket.last.open();
  dispatchEvent(new Event('online'));
  assert.equal(FakeSocket.all.length, 3, 'open: online does nothing');
  ws.close();
  dispatchEvent(new Event('online'));
  assert.equal(FakeSocket.all.length, 3, 'closed: the listeners are gone');
});

test('shared: true without Web Locks or BroadcastChannel falls back to an own socket', () => {
  const ws = connect('/a/', { shared: true });
  assert.equal(FakeSocket.all.length, 1);
  FakeSocket.last.open();
  assert.equal(ws.connected, true);
});

test('close from a listener while reconnecting cancels the retry', () => {
  const ws = connect('/a/', { reconnectDelay: 10 });
  ws.on('reconnecting', () => ws.close());
  FakeSocket.last.drop(1006);
  mock.timers.tick(100000);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(ws.state, 'closed');
});

test('a WebSocket that cannot be made (a token no subprotocol can hold) is a failed attempt', async () => {
  const ws = connect('/a/', { token: () => 'has space', reconnectDelay: 10, maxReconnectAttempts: 1 });
  const got = record(ws, 'error', 'reconnecting', 'close');
  await settle();
  assert.equal(FakeSocket.all.length, 0);
  assert.equal(got[0][0], 'error');
  assert.match(got[0][1].message, /invalid subprotocol/);
  assert.equal(got[1][0], 'reconnecting');
  await settle();
  mock.timers.tick(100);
  await settle();
  assert.deepEqual(got.map((g) => g[0]), ['error', 'reconnecting', 'error', 'close'], 'the same token fails again: out of attempts');
  assert.equal(ws.state, 'closed');
});
