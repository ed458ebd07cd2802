// chat.e2e.mjs drives the chat example's page (examples/chat/index.html) in headless
// Chromium, against the server that examples/chat/browser_test.go starts:
//
//	node test/chat.e2e.mjs http://127.0.0.1:PORT http://127.0.0.1:CONTROL/restart
//
// Two tabs join the room "blue"; the server restarts; both reconnect to the same room,
// show it, and chat. It exits with status 1 on the first failure.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, restart] = process.argv.slice(2);
if (!base || !restart) throw new Error('usage: node test/chat.e2e.mjs BASE_URL RESTART_URL');

const profile = mkdtempSync(join(tmpdir(), 'wsroute-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const status = (p, text) => p.waitForFunction((t) => document.getElementById('status').textContent === t, text, { timeout: 10000 });
// logged waits until at least n lines of the tab's log match re.
const logged = (p, re, n = 1) =>
  p.waitForFunction(([src, n]) => [...document.querySelectorAll('#log li')].filter((li) => new RegExp(src).test(li.textContent)).length >= n, [re.source, n], {
    timeout: 10000,
  });

const t0 = Date.now();
let code = 0;
try {
  const tabs = [];
  for (const name of ['one', 'two']) {
    const p = await browser.newPage();
    p.on('pageerror', (e) => console.log(`page ${name} error:`, e.message));
    await p.goto(base + '/#blue'); // the room in the address: the page joins it
    await status(p, 'connected to room blue');
    await logged(p, /^Welcome to blue, you are /);
    tabs.push(p);
  }
  console.log('ok two tabs in room blue');

  assert.equal((await fetch(restart, { method: 'POST' })).status, 200, 'restart');
  for (const p of tabs) {
    await logged(p, /^connection lost \(1001 going away\); retrying$/);
    await logged(p, /^reconnected$/);
    await status(p, 'connected to room blue');
    await logged(p, /^Welcome to blue, you are /, 2); // the new server's welcome, to the same room
    assert.equal(await p.evaluate(() => location.hash), '#blue');
  }
  console.log('ok both tabs reconnected to room blue after the restart');

  await tabs[0].fill('#text', 'hello after the restart');
  await tabs[0].press('#text', 'Enter');
  await logged(tabs[1], /: hello after the restart$/);
  console.log('ok a message reaches the other tab');
  if (process.env.SCREENSHOT) await tabs[1].screenshot({ path: process.env.SCREENSHOT });
} catch (e) {
  console.log('FAIL', e.stack);
  code = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`chat scenarios: ${Date.now() - t0} ms`);
process.exit(code);
