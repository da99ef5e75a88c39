// First-visit weight of `make bench-weight`: what a browser with an empty cache downloads to show
// each page type (the page, its stylesheets, fonts, script and icon), in headless Chromium driven
// by playwright-core, counted as bytes on the wire (headers and encoded bodies) per response.
//
// Each page is opened twice in a fresh context: once refusing every content coding
// (`Accept-Encoding: identity`, which is what every answer weighed before riuso compressed
// anything) and once as the browser asks by itself. Prints a Markdown table, and exits 1 when an
// answer came back encoded although the client refused it, or when a page failed.
//
// Environment: BASE_URL (the server), CHROMIUM (the browser binary), PAGES (comma-separated
// paths; default: home, search, a software page, publishers, the validator).

import { createRequire } from 'node:module';

const require = createRequire(new URL('../package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:18084').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

async function firstSlug() {
  const response = await fetch(`${BASE}/api/v1/software?page[size]=1`);
  const body = await response.json();
  return body.data[0].slug;
}

// Bytes on the wire to load `path` in a fresh context with `headers`, and what was encoded.
async function weigh(browser, path, headers) {
  const context = await browser.newContext({ extraHTTPHeaders: headers, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const responses = [];
  page.on('response', (r) => responses.push(r));
  const main = await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle' });
  if (!main || main.status() !== 200) throw new Error(`${path} answered ${main?.status()}`);
  let bytes = 0;
  const encoded = [];
  for (const r of responses) {
    const sizes = await r.request().sizes();
    bytes += sizes.responseHeadersSize + sizes.responseBodySize;
    const coding = (await r.allHeaders())['content-encoding'];
    if (coding) encoded.push(`${new URL(r.url()).pathname} (${coding})`);
  }
  await context.close();
  return { bytes, requests: responses.length, encoded };
}

const kib = (n) => (n / 1024).toFixed(1);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  chromiumSandbox: false,
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
let failed = false;
try {
  const pages = process.env.PAGES?.split(',') ?? ['/', '/software?q=comune', `/software/${await firstSlug()}`, '/publishers', '/validator'];
  console.log('| page | requests | uncompressed KiB | compressed KiB | saved |');
  console.log('|---|---:|---:|---:|---:|');
  let before = 0;
  let after = 0;
  for (const path of pages) {
    const plain = await weigh(browser, path, { 'Accept-Encoding': 'identity' });
    const packed = await weigh(browser, path, {});
    if (plain.encoded.length > 0) {
      console.error(`${path}: encoded although refused: ${plain.encoded.join(', ')}`);
      failed = true;
    }
    before += plain.bytes;
    after += packed.bytes;
    const saved = `${(100 * (1 - packed.bytes / plain.bytes)).toFixed(0)}%`;
    console.log(`| \`${path}\` | ${packed.requests} | ${kib(plain.bytes)} | ${kib(packed.bytes)} | ${saved} |`);
  }
  console.log(`| all of them | | ${kib(before)} | ${kib(after)} | ${(100 * (1 - after / before)).toFixed(0)}% |`);
} catch (e) {
  console.error(e?.stack ?? String(e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
