// build.mjs builds the browser client: it type-checks src/ with tsc (strict), bundles
// src/wsroute.ts with esbuild into the one dependency-free ES module dist/wsroute.js,
// copies its declarations to dist/wsroute.d.ts, type-checks test/types/usage.ts (the API
// as a page writes it) against them, and fails when the module is over 6 KB
// gzipped. The output depends only on the sources and the locked tool versions, so CI
// rebuilds it and checks that the committed bytes did not change.
//
//	node build.mjs          # dist/wsroute.js, dist/wsroute.d.ts
//	node build.mjs --test   # also build/test/*.js: each source file alone, for node --test
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const dir = fileURLToPath(new URL('.', import.meta.url));
const at = (...p) => join(dir, ...p);
const limit = 6 * 1024;

execFileSync(at('node_modules', '.bin', 'tsc'), ['-p', dir], { stdio: 'inherit' });

await esbuild.build({
  entryPoints: [at('src', 'wsroute.ts')],
  outfile: at('dist', 'wsroute.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  banner: { js: '// wsroute browser client. Built from client/src by client/build.mjs; docs/client.md has the API.' },
  logLevel: 'warning',
});

const dts = readFileSync(at('build', 'types', 'wsroute.d.ts'), 'utf8');
if (/^import /m.test(dts)) throw new Error('wsroute.d.ts must not import the internal modules: keep the public types in src/wsroute.ts');
writeFileSync(at('dist', 'wsroute.d.ts'), '// wsroute browser client: the types of dist/wsroute.js, emitted by tsc from client/src/wsroute.ts.\n' + dts);

// The API as a page uses it must type-check against the declarations just written.
execFileSync(at('node_modules', '.bin', 'tsc'), ['-p', at('test', 'types')], { stdio: 'inherit' });

const js = readFileSync(at('dist', 'wsroute.js'));
const gz = gzipSync(js, { level: 9 }).length;
console.log(`dist/wsroute.js: ${js.length} bytes, ${gz} bytes gzipped (limit ${limit})`);
if (gz > limit) throw new Error(`dist/wsroute.js is ${gz} bytes gzipped, over the ${limit}-byte budget`);

if (process.argv.includes('--test')) {
  mkdirSync(at('build', 'test'), { recursive: true });
  await esbuild.build({
    entryPoints: readdirSync(at('src')).filter((f) => f.endsWith('.ts')).map((f) => at('src', f)),
    outdir: at('build', 'test'),
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
  });
}
