// The communities in headless Chromium, part of `make test-browser` (run after tests/browser/run.mjs,
// against the same server, whose catalog holds the demo community of `riuso dev demo-community`):
//   - the journey, in Italian and in English: Ada (Montesilvano, the coordinator) plans a release
//     of ComunicaPA and writes in its thread; Bruno (Bologna, which declared reusing it) answers
//     and says Bologna upgraded; the matrix on ComunicaPA's software page shows it;
//   - axe-core (WCAG 2.0/2.1 A and AA) finds no violation, and no Content-Security-Policy error,
//     on every community page: the list, a community, a thread, a release thread, the
//     notifications, the search results across all communities and within one (and their empty
//     state), and the software page with its community and matrix;
//   - on a phone (375 px wide), those pages do not scroll sideways.
// Exits 1 when any check fails. Node's standard library, playwright-core and axe-core only.

import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const axeSource = require('axe-core').source;

const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:18081').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'target/browser-artifacts';
const PASSWORD = 'demo password 2026';
const ADA = 'ada@montesilvano.example.invalid';
const BRUNO = 'bruno@bologna.example.invalid';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PHONE = { width: 375, height: 667 };
const UPGRADED = { it: 'Aggiornato', en: 'Upgraded' };

const results = [];

class Failure extends Error {
  constructor(problems) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

function withLang(path, lang) {
  const url = new URL(path, BASE);
  url.searchParams.set('lang', lang);
  return url.toString();
}

async function api(path) {
  const response = await fetch(`${BASE}${path}`);
  if (!response.ok) throw new Failure([`${path} answered ${response.status}`]);
  return response.json();
}

// Axe, the page's language and CSP errors, and a screenshot, for the page `page` shows now.
async function pageProblems(page, key, lang, csp) {
  const problems = [];
  const shown = await page.evaluate(() => document.documentElement.getAttribute('lang'));
  if (shown !== lang) problems.push(`${key}: <html lang> is ${JSON.stringify(shown)}, expected "${lang}"`);
  await page.evaluate(axeSource);
  const outcome = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  for (const v of outcome.violations) {
    problems.push(`${key}: axe ${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 6).map((n) => n.target.join(' ')).join('\n  ')}`);
  }
  for (const text of csp.splice(0)) problems.push(`${key}: CSP: ${text}`);
  await page.screenshot({ path: join(ARTIFACTS, `community-${key}-${lang}.png`), fullPage: true });
  return problems;
}

function watchCsp(page) {
  const csp = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /content.security.policy/i.test(msg.text())) csp.push(msg.text().slice(0, 200));
  });
  return csp;
}

async function signIn(context, email) {
  const page = await context.newPage();
  await page.goto(withLang('/account/sign-in', 'en'));
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/account/sign-in"] button[type=submit]')]);
  if (new URL(page.url()).pathname !== '/account') throw new Failure([`signing in ${email} led to ${page.url()}`]);
  await page.close();
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function check(name, fn) {
  try {
    const note = await fn();
    results.push({ name, ok: true, note });
  } catch (e) {
    results.push({ name, ok: false, problems: e instanceof Failure ? e.problems : [e?.stack ?? String(e)] });
  }
}

// The page widths of `paths` on a phone, in `lang`, in `context`'s session.
async function phoneProblems(browser, state, lang, paths) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, storageState: state });
  const problems = [];
  try {
    for (const [key, path] of Object.entries(paths)) {
      const page = await context.newPage();
      const response = await page.goto(withLang(path, lang), { waitUntil: 'load' });
      if (response?.status() !== 200) problems.push(`${path} answered ${response?.status()}`);
      const wide = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
      if (wide.scroll > wide.width) problems.push(`${key} ${path}: ${wide.scroll} px wide in a ${wide.width} px screen`);
      await page.screenshot({ path: join(ARTIFACTS, `phone-community-${key}-${lang}.png`), fullPage: true });
      await page.close();
    }
  } finally {
    await context.close();
  }
  return problems;
}

async function journey(browser, lang, software) {
  const version = lang === 'it' ? '9.1.0' : '9.2.0';
  const word = lang === 'it' ? 'collaudo' : 'rollout';
  const ada = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const bruno = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ada.setDefaultTimeout(10_000);
  bruno.setDefaultTimeout(10_000);
  const problems = [];
  try {
    await signIn(ada, ADA);
    await signIn(bruno, BRUNO);
    const community = (await api('/api/v1/communities?page[size]=100')).data
      .find((c) => c.software.some((s) => s.slug === software));
    if (!community) throw new Failure([`no community of ${software}`]);
    const paths = {
      list: '/communities',
      community: `/communities/${community.slug}`,
      search: `/communities/search?q=${word}`,
      'community-search': `/communities/${community.slug}/search?q=${word}`,
      notifications: '/notifications',
    };

    // Ada plans the release: the form lands on its thread, where she writes.
    const page = await ada.newPage();
    const csp = watchCsp(page);
    await page.goto(withLang('/communities', lang));
    problems.push(...(await pageProblems(page, 'list', lang, csp)));
    await page.goto(withLang(paths.community, lang));
    problems.push(...(await pageProblems(page, 'community', lang, csp)));
    await page.click('details#plan > summary');
    await page.fill('#p-version', version);
    await submit(page, 'details#plan form button[type=submit]');
    const thread = new URL(page.url()).pathname;
    if (!/^\/threads\/\d+$/.test(thread)) throw new Failure([...problems, `planning ${version} led to ${page.url()}`]);
    paths.thread = thread;
    problems.push(...(await pageProblems(page, 'release-thread', lang, csp)));
    await page.fill('#r-body', `@bruno la ${version} è pronta: serve un ${word} notturno prima di aggiornare.`);
    await submit(page, '#reply button[type=submit]');

    // Bruno answers, and says Bologna upgraded.
    const other = await bruno.newPage();
    const bcsp = watchCsp(other);
    await other.goto(withLang(thread, lang));
    await other.fill('#r-body', `Fatto il ${word}: Bologna è passata alla ${version}.`);
    await submit(other, '#reply button[type=submit]');
    if ((await other.locator('#adoption-form').count()) !== 1) throw new Failure([...problems, `no adoption form for Bruno on ${thread}`]);
    await other.check('#a-upgraded');
    await submit(other, '#adoption-form button[type=submit]');
    problems.push(...(await pageProblems(other, 'thread', lang, bcsp)));
    const posts = await other.locator('li.post').count();
    if (posts < 2) problems.push(`${thread} shows ${posts} posts, expected Ada's and Bruno's`);

    // The matrix on the software page: Bologna's cell under the new release says upgraded.
    await other.goto(withLang(`/software/${software}`, lang));
    const cell = await other.evaluate((v) => {
      const table = [...document.querySelectorAll('#community .adoption-matrix table.matrix')][0];
      if (!table) return { error: 'no matrix on the software page' };
      const heads = [...table.querySelectorAll('thead th')];
      const column = heads.findIndex((th) => th.textContent.trim().startsWith(v));
      if (column === -1) return { error: `no column ${v} in ${heads.map((h) => h.textContent.trim()).join(' | ')}` };
      const row = [...table.querySelectorAll('tbody tr')].find((tr) => tr.textContent.includes('c_a944'));
      if (!row) return { error: 'no row of Bologna (c_a944)' };
      return { text: row.children[column]?.textContent.trim() ?? '' };
    }, version);
    problems.push(...(await pageProblems(other, 'software', lang, bcsp)));
    if (cell.error) problems.push(cell.error);
    else if (!cell.text.includes(UPGRADED[lang])) problems.push(`Bologna under ${version}: ${JSON.stringify(cell.text)}, expected ${UPGRADED[lang]}`);

    // Ada was told of Bruno's post; the search finds the words of both.
    await page.goto(withLang('/notifications', lang));
    problems.push(...(await pageProblems(page, 'notifications', lang, csp)));
    await page.goto(withLang(paths.search, lang));
    const hits = await page.locator('li.search-hit').count();
    if (hits < 2) problems.push(`${paths.search}: ${hits} results, expected Ada's and Bruno's posts`);
    problems.push(...(await pageProblems(page, 'search', lang, csp)));
    await page.goto(withLang(paths['community-search'], lang));
    problems.push(...(await pageProblems(page, 'community-search', lang, csp)));
    await page.goto(withLang(`/communities/search?q=zzzznothing`, lang));
    if ((await page.locator('#no-results').count()) !== 1) problems.push('no empty state (#no-results) for a search without results');
    problems.push(...(await pageProblems(page, 'search-empty', lang, csp)));

    problems.push(...(await phoneProblems(browser, await ada.storageState(), lang, paths)));
  } finally {
    await ada.close();
    await bruno.close();
  }
  if (problems.length > 0) throw new Failure(problems);
  return `release ${version}`;
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const software = (await api('/api/v1/software?q=ComunicaPA&page[size]=1')).data?.[0]?.slug;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  try {
    for (const lang of ['it', 'en']) {
      await check(`communities: two administrations discuss a release, the matrix shows the upgrade (${lang})`, () => journey(browser, lang, software));
    }
  } finally {
    await browser.close();
  }
  for (const r of results) {
    console.log(`${r.ok ? 'pass' : 'FAIL'}  ${r.name}${r.note ? ` (${r.note})` : ''}`);
    for (const p of r.problems ?? []) console.log(`      ${p.replace(/\n/g, '\n      ')}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`communities: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
