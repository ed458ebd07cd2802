// The pure parts: the full-jitter backoff and the close-code table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, retryable, STABLE_MS } from '../build/test/backoff.js';
import { retryCodes } from '../build/test/closecodes.js';

test('backoff is full jitter: 0 to min(max, base·2^attempt)', () => {
  const cases = [
    // attempt, base, max, random, want
    [0, 3000, 20000, 0, 0],
    [0, 3000, 20000, 0.5, 1500],
    [0, 3000, 20000, 0.9999, 2999],
    [1, 3000, 20000, 0.5, 3000],
    [2, 3000, 20000, 0.5, 6000],
    [3, 3000, 20000, 0.5, 10000], // 24000 capped at 20000
    [30, 3000, 20000, 0.5, 10000],
    [4, 500, 20000, 1 - 1e-9, 7999],
  ];
  for (const [attempt, base, max, r, want] of cases) {
    assert.equal(backoff(attempt, base, max, () => r), want, `backoff(${attempt}, ${base}, ${max}) with random ${r}`);
  }
});

test('backoff draws stay within bounds over many draws', () => {
  for (let a = 0; a < 12; a++) {
    const cap = Math.min(20000, 3000 * 2 ** a);
    for (let i = 0; i < 200; i++) {
      const d = backoff(a, 3000, 20000);
      assert.ok(d >= 0 && d < cap, `attempt ${a}: ${d} in [0, ${cap})`);
    }
  }
});

test('the code table: what is retried and what stops', () => {
  for (const code of [1000, 1001, 1006, 1011, 1012, 1013, 4008]) assert.ok(retryable(code), `${code} is retried`);
  for (const code of [1002, 1003, 1007, 1008, 1009, 4000, 4001, 4002, 4003]) assert.ok(!retryable(code), `${code} stops`);
  for (const code of [3000, 4321, 4999, 1015]) assert.ok(!retryable(code), `${code}, not in the table, stops`);
  assert.equal(retryCodes.size, 8, 'the generated table has the eight retried codes of internal/closecode');
});

test('a connection must stay up a few seconds before the backoff resets', () => {
  assert.ok(STABLE_MS >= 2000 && STABLE_MS <= 10000, `STABLE_MS ${STABLE_MS}`);
});
