// shared: true with Web Locks and BroadcastChannel: tabs are simulated by several clients
// in one process (Node's BroadcastChannel delivers between them), over a fake WebSocket
// and a fake lock manager. The real thing runs in Chromium: client/browser_test.go.
import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../dist/wsroute.js';
import { FakeLocks, FakeSocket, install, until } from './fake.mjs';

let n = 0;
let path;
beforeEach(() => {
  install();
  Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLocks() }, configurable: true, writable: true });
  mock.timers.enable({ apis: ['setTimeout'] });
  path = `/s${++n}/`; // a channel of its own for each test
});
const tabs = [];
afterEach(() => {
  for (const t of tabs.splice(0)) t.ws.close(); // an open BroadcastChannel keeps node running
  mock.timers.runAll();
  mock.timers.reset();
  delete globalThis.navigator;
});

function tab(name, options = {}) {
  const ws = connect(path, { shared: true, reconnectDelay: 10, ...options });
  const got = [];
  for (const ev of ['open', 'close', 'reconnecting', 'error', 'message']) ws.on(ev, (a) => got.push(a === undefined ? [ev] : [ev, a]));
  const t = { ws, got, name };
  tabs.push(t);
  return t;
}
const evs = (t, ev) => t.got.filter((g) => g[0] === ev);

test('two tabs share one connection: messages, sends and requests from both', async () => {
  const a = tab('a');
  await until(() => FakeSocket.all.length === 1, 'the leader connects');
  const b = tab('b');
  b.ws.send({ early: 'b' }); // the follower buffers until the leader says open
  FakeSocket.last.open();
  await until(() => b.ws.connected, 'b open');
  assert.equal(a.ws.state, 'open');
  assert.equal(FakeSocket.all.length, 1, 'one connection for two tabs');
  await until(() => FakeSocket.last.sent.length === 1, 'the follower flushed its buffer through the leader');

  a.ws.send({ from: 'a' });
  b.ws.send({ from: 'b' });
  await until(() => FakeSocket.last.sent.length === 3, 'both sends');
  assert.deepEqual(FakeSocket.last.sent, ['{"early":"b"}', '{"from":"a"}', '{"from":"b"}']);

  FakeSocket.last.message('{"type":"news","n":1}');
  await until(() => evs(b, 'message').length === 1, 'b gets the message');
  assert.deepEqual(evs(a, 'message'), [['message', { type: 'news', n: 1 }]]);
  assert.deepEqual(evs(b, 'message'), [['message', { type: 'news', n: 1 }]]);

  const pb = b.ws.request({ q: 'b' });
  const pa = a.ws.request({ q: 'a' });
  await until(() => FakeSocket.last.sent.length === 5, 'both requests');
  for (const raw of FakeSocket.last.sent.slice(3)) {
    const r = JSON.parse(raw);
    FakeSocket.last.message(JSON.stringify({ callbackid: r.callbackid, answer: r.q }));
  }
  assert.equal((await pa).answer, 'a');
  assert.equal((await pb).answer, 'b');
  await new Promise((r) => setImmediate(r));
  assert.equal(evs(a, 'message').length, 1, 'no tab sees a reply as a message');
  assert.equal(evs(b, 'message').length, 1);
  b.ws.close();
  a.ws.close();
});

test('the leader closes: another tab takes over with a connection of its own', async () => {
  const a = tab('a');
  await until(() => FakeSocket.all.length === 1);
  const b = tab('b');
  const c = tab('c');
  FakeSocket.last.open();
  await until(() => b.ws.connected && c.ws.connected, 'followers open');
  const first = FakeSocket.last;

  a.ws.close();
  assert.deepEqual(first.closed, { code: 1000, reason: '' }, "the leader's connection closes");
  await until(() => FakeSocket.all.length === 2, 'a new leader connects');
  await until(() => evs(b, 'reconnecting').length + evs(c, 'reconnecting').length === 2, 'both see the drop');
  FakeSocket.last.open();
  await until(() => b.ws.connected && c.ws.connected, 'open again');
  assert.deepEqual(evs(b, 'open').length, 2);
  assert.deepEqual(evs(c, 'open').length, 2);
  assert.equal(FakeSocket.all.length, 2, 'one new connection, not two');
  FakeSocket.last.message('"after"');
  await until(() => evs(b, 'message').length === 1 && evs(c, 'message').length === 1);
  assert.deepEqual(evs(a, 'close'), [['close', { code: 1000, reason: '' }]]);
  assert.equal(evs(a, 'message').length, 0, 'the closed tab hears nothing');
  b.ws.close();
  c.ws.close();
});

test("the leader's drop is every tab's: requests in flight reject, then all reopen", async () => {
  const a = tab('a');
  await until(() => FakeSocket.all.length === 1);
  const b = tab('b');
  FakeSocket.last.open();
  await until(() => b.ws.connected);
  const req = b.ws.request({ q: 1 });
  await until(() => FakeSocket.last.sent.length === 1);
  FakeSocket.last.drop(1012, 'service restart');
  await assert.rejects(req, /connection lost \(1012\)/);
  assert.deepEqual(evs(b, 'reconnecting')[0][1], { code: 1012, reason: 'service restart', attempt: 1, delay: evs(a, 'reconnecting')[0][1].delay });
  mock.timers.tick(10);
  await until(() => FakeSocket.all.length === 2);
  FakeSocket.last.open();
  await until(() => b.ws.connected && a.ws.connected);
  a.ws.close();
  b.ws.close();
});

test('a stop code at the leader stops every tab, and nobody reconnects', async () => {
  const a = tab('a');
  await until(() => FakeSocket.all.length === 1);
  const b = tab('b');
  FakeSocket.last.open();
  await until(() => b.ws.connected);
  FakeSocket.last.drop(4001, 'unauthorized');
  await until(() => b.ws.state === 'closed', 'b stops');
  assert.deepEqual(evs(a, 'close'), [['close', { code: 4001, reason: 'unauthorized' }]]);
  assert.deepEqual(evs(b, 'close'), [['close', { code: 4001, reason: 'unauthorized' }]]);
  mock.timers.tick(100000);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(FakeSocket.all.length, 1, 'no tab took over');
});

test('a follower that is closed leaves the others alone', async () => {
  const a = tab('a');
  await until(() => FakeSocket.all.length === 1);
  const b = tab('b');
  FakeSocket.last.open();
  await until(() => b.ws.connected);
  b.ws.close();
  assert.equal(FakeSocket.last.closed, null, 'the connection stays');
  assert.equal(a.ws.state, 'open');
  FakeSocket.last.message('"x"');
  assert.equal(evs(a, 'message').length, 1);
  a.ws.close();
});
