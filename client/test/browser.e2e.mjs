// browser.e2e.mjs drives headless Chromium (playwright-core, Debian's chromium) through
// the client's scenarios against the wsroute server that client/browser_test.go starts:
//
//	node test/browser.e2e.mjs http://127.0.0.1:PORT http://127.0.0.1:CONTROL
//
// The control server answers POST /down and POST /up (a server restart on the same
// address) and GET /stats (connections opened and open per URL, /token calls per key).
// Each scenario prints "ok <name> (<ms>)"; the first failure exits with status 1.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, control] = process.argv.slice(2);
if (!base || !control) throw new Error('usage: node test/browser.e2e.mjs BASE_URL CONTROL_URL');

const stats = async () => (await fetch(control + '/stats')).json();
const server = async (what) => assert.equal((await fetch(control + '/' + what, { method: 'POST' })).status, 200, what);

// eventually polls fn (a Node-side check) until it returns without throwing, for up to ms.
async function eventually(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const profile = mkdtempSync(join(tmpdir(), 'wsroute-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// page opens a tab on the server with the client imported as window.wsroute, and a log
// window.got of every event of the sockets made with window.open(name, path, options).
async function page() {
  const p = await browser.newPage();
  p.on('pageerror', (e) => console.log('page error:', e.message));
  await p.goto(base + '/');
  await p.evaluate(async () => {
    const { connect } = await import('/wsroute.js');
    window.got = [];
    window.sockets = {};
    window.open = (name, path, options, types = []) => {
      const ws = connect(path, options);
      for (const ev of ['open', 'close', 'reconnecting', 'error', 'message', ...types])
        ws.on(ev, (a) => window.got.push({ name, ev, a: a instanceof Error ? a.message : a, state: ws.state }));
      window.sockets[name] = ws;
      return ws.state;
    };
    window.events = (name, ev) => window.got.filter((g) => g.name === name && g.ev === ev);
  });
  return p;
}

// until waits in the page for count events ev of socket name, and returns them.
async function until(p, name, ev, count = 1, ms = 10000) {
  await p.waitForFunction(([n, e, c]) => window.events(n, e).length >= c, [name, ev, count], { timeout: ms });
  return p.evaluate(([n, e]) => window.events(n, e), [name, ev]);
}

const scenarios = {
  async 'connect, send and receive'() {
    const p = await page();
    assert.equal(await p.evaluate(() => window.open('e', '/echo/', {}, ['echo'])), 'connecting');
    await until(p, 'e', 'open');
    assert.deepEqual(await p.evaluate(() => [window.sockets.e.state, window.sockets.e.connected]), ['open', true]);
    await p.evaluate(() => window.sockets.e.send({ type: 'hello', n: 1 }));
    const [echo] = await until(p, 'e', 'echo');
    assert.deepEqual(echo.a, { type: 'echo', got: { type: 'hello', n: 1 } });
    const [msg] = await until(p, 'e', 'message');
    assert.deepEqual(msg.a, echo.a, 'the same message as message and as its type');
    await p.close();
  },

  async 'request/reply and a request that times out'() {
    const p = await page();
    await p.evaluate(() => window.open('r', '/echo/', {}));
    await until(p, 'r', 'open');
    const reply = await p.evaluate(() => window.sockets.r.request({ type: 'sum', a: 1, b: 2 }));
    assert.equal(reply.ok, true);
    assert.deepEqual({ ...reply.got, callbackid: undefined }, { type: 'sum', a: 1, b: 2, callbackid: undefined });
    assert.equal(reply.callbackid, reply.got.callbackid, 'the reply carries the request callbackid');
    const many = await p.evaluate(() => Promise.all([1, 2, 3].map((n) => window.sockets.r.request({ n }))));
    assert.deepEqual(many.map((r) => r.got.n), [1, 2, 3], 'each reply goes to its request');
    const t0 = Date.now();
    const err = await p.evaluate(() => window.sockets.r.request({ type: 'silent' }, { timeout: 300 }).then(() => 'resolved', (e) => e.message));
    assert.match(err, /timed out/);
    assert.ok(Date.now() - t0 >= 250, 'it waited for the timeout');
    assert.deepEqual(await p.evaluate(() => window.events('r', 'message')), [], 'replies are not messages');
    await p.close();
  },

  async 'a server restart: the client reconnects and flushes the offline buffer in order'() {
    const p = await page();
    await p.evaluate(() => window.open('s', '/echo/', { reconnectDelay: 100, maxReconnectDelay: 400 }, ['echo']));
    await until(p, 's', 'open');
    await server('down');
    const [rec] = await until(p, 's', 'reconnecting');
    assert.equal(rec.a.code, 1001, 'the shutdown closes with 1001 going away');
    assert.equal(await p.evaluate(() => window.sockets.s.state), 'reconnecting');
    const sent = await p.evaluate(() => [1, 2, 3].map((n) => window.sockets.s.send({ type: 'seq', n })));
    assert.deepEqual(sent, [true, true, true], 'buffered while the server is down');
    await new Promise((r) => setTimeout(r, 300)); // a few failed attempts against the closed port
    const t0 = Date.now();
    await server('up');
    await until(p, 's', 'open', 2);
    console.log(`  reconnected ${Date.now() - t0} ms after the server came back`);
    const echoes = await until(p, 's', 'echo', 3);
    assert.deepEqual(echoes.map((e) => e.a.got.n), [1, 2, 3], 'flushed in order');
    assert.deepEqual(await p.evaluate(() => window.events('s', 'close')), [], 'no close event during the restart');
    await p.close();
  },

  async "online: an immediate retry instead of the backoff's wait"() {
    const p = await page();
    await p.evaluate(() => {
      Math.random = () => 0.99; // the first retry would wait 59.4 s
      window.open('o', '/echo/', { reconnectDelay: 60000, maxReconnectDelay: 60000 });
    });
    await until(p, 'o', 'open');
    await server('down');
    const [rec] = await until(p, 'o', 'reconnecting');
    assert.equal(rec.a.delay, 59400);
    await server('up');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await p.evaluate(() => window.sockets.o.state), 'reconnecting', 'still waiting out the backoff');
    const t0 = Date.now();
    await browser.setOffline(true);
    await browser.setOffline(false); // the page gets the online event
    await until(p, 'o', 'open', 2, 5000);
    console.log(`  reconnected ${Date.now() - t0} ms after the online event`);
    await p.close();
  },

  async "visible again: an immediate retry instead of the backoff's wait"() {
    const p = await page();
    await p.evaluate(() => {
      Math.random = () => 0.99; // the first retry would wait 59.4 s
      window.open('v', '/echo/', { reconnectDelay: 60000, maxReconnectDelay: 60000 });
    });
    await until(p, 'v', 'open');
    await server('down');
    const [rec] = await until(p, 'v', 'reconnecting');
    assert.equal(rec.a.delay, 59400);
    await server('up');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await p.evaluate(() => window.sockets.v.state), 'reconnecting', 'still waiting out the backoff');
    const t0 = Date.now();
    // Headless Chromium has no hidden tabs to switch to: the page's visibility is set, and
    // the browser's own event dispatched, as when a user comes back to a hidden tab.
    await p.evaluate(() => {
      let state = 'hidden';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      document.dispatchEvent(new Event('visibilitychange'));
      state = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(p, 'v', 'open', 2, 5000);
    console.log(`  reconnected ${Date.now() - t0} ms after the page became visible`);
    await p.close();
  },

  async 'close codes: 4001 and the other stop codes end the socket, 1012 is retried'() {
    const p = await page();
    for (const code of [4001, 4003, 1008, 1009]) {
      await p.evaluate((c) => window.open('c' + c, `/close/${c}/`, { reconnectDelay: 50 }), code);
      const [close] = await until(p, 'c' + code, 'close');
      assert.deepEqual(close.a, { code, reason: 'chosen code' }, `close event of ${code}`);
      assert.equal(close.state, 'closed');
    }
    await p.evaluate(() => window.open('c1012', '/close/1012/', { reconnectDelay: 50, maxReconnectAttempts: 2 }));
    const [close] = await until(p, 'c1012', 'close');
    assert.equal(close.a.code, 1012);
    await new Promise((r) => setTimeout(r, 500)); // time for a wrong retry to show up
    const { opens } = await stats();
    for (const code of [4001, 4003, 1008, 1009]) assert.equal(opens[`/close/${code}/`], 1, `${code}: no reconnect`);
    assert.equal(opens['/close/1012/'], 3, '1012: the first connection and two retries');
    assert.equal((await p.evaluate(() => window.events('c4001', 'reconnecting'))).length, 0);
    await p.close();
  },

  async '4002: the token is refreshed once; refused again, the client stops'() {
    const p = await page();
    await p.evaluate(() => {
      const token = (q) => () => fetch('/token?' + q).then((r) => r.text());
      window.open('good', '/csrf/', { token: token('key=a') }, ['welcome']);
      window.open('bad', '/csrf/', { token: token('key=b&bad=1') });
    });
    const [rec] = await until(p, 'good', 'reconnecting');
    assert.deepEqual(rec.a, { code: 4002, reason: 'invalid csrf token', attempt: 0, delay: 0 });
    await until(p, 'good', 'welcome');
    const [close] = await until(p, 'bad', 'close');
    assert.deepEqual(close.a, { code: 4002, reason: 'invalid csrf token' });
    const { tokens } = await stats();
    assert.deepEqual(tokens, { a: 2, b: 2 }, 'token() called once more after 4002, and no more');
    await p.close();
  },

  async 'shared: two tabs, one connection; the other tab takes over when the leader closes'() {
    const url = '/shared/';
    const a = await page();
    await a.evaluate((u) => window.open('a', u, { shared: true }, ['echo']), url);
    await until(a, 'a', 'open');
    const b = await page();
    await b.evaluate((u) => window.open('b', u, { shared: true }, ['echo']), url);
    await until(b, 'b', 'open');
    assert.equal((await stats()).online[url], 1, 'two tabs, one connection');

    await a.evaluate(() => window.sockets.a.send({ from: 'a' }));
    await b.evaluate(() => window.sockets.b.send({ from: 'b' }));
    for (const [p, n] of [[a, 'a'], [b, 'b']]) {
      const echoes = await until(p, n, 'echo', 2);
      assert.deepEqual(echoes.map((e) => e.a.got.from).sort(), ['a', 'b'], `tab ${n} gets both messages`);
    }
    const reply = await b.evaluate(() => window.sockets.b.request({ type: 'ask', from: 'b' }));
    assert.equal(reply.got.from, 'b', 'a request from the follower tab');
    const replyA = await a.evaluate(() => window.sockets.a.request({ type: 'ask', from: 'a' }));
    assert.equal(replyA.got.from, 'a', 'a request from the leader tab');
    assert.equal((await a.evaluate(() => window.events('a', 'message'))).length, 2, "the leader does not see the follower's reply");

    const opened = (await stats()).opens[url];
    const t0 = Date.now();
    await a.close();
    await until(b, 'b', 'open', 2, 2000);
    const took = Date.now() - t0;
    console.log(`  takeover in ${took} ms`);
    assert.ok(took < 2000, `takeover within 2 s (${took} ms)`);
    await eventually(async () => {
      const s = await stats();
      assert.equal(s.opens[url], opened + 1, 'the new leader opened one connection');
      assert.equal(s.online[url], 1, 'still one connection');
    });
    await b.evaluate(() => window.sockets.b.send({ from: 'b again' }));
    const echoes = await until(b, 'b', 'echo', 3);
    assert.equal(echoes[2].a.got.from, 'b again', 'the remaining tab carries on');
    assert.equal((await b.evaluate(() => window.sockets.b.request({ n: 9 }))).got.n, 9);
    await b.close();
  },
};

const only = process.env.E2E_ONLY;
let failed = 0;
const t0 = Date.now();
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !name.includes(only)) continue;
    const start = Date.now();
    try {
      await run();
      console.log(`ok ${name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name} (${Date.now() - start} ms)\n${e.stack}`);
      break;
    }
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser scenarios: ${Date.now() - t0} ms`);
process.exit(failed ? 1 : 0);
