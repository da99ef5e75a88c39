// Browser tests of the web pages, in headless Chromium driven by playwright-core.
//
// `make test-browser` starts `riuso serve` on a demo catalog and runs this script against it:
//
//   - every page type in Italian and English: structure (lang, skip link, main, language
//     switch), axe-core (WCAG 2.0/2.1 A and AA) with zero violations, no Content-Security-Policy
//     error in the console, no broken same-origin asset, and a full-page screenshot;
//   - a journey done with the keyboard only: search, filter, open a result, come back, compare.
//   - on a phone (375 px wide), every page type in both languages: nothing scrolls sideways; on
//     the search page the filters wait behind their closed "Filtri (n)" disclosure and the first
//     result shows without scrolling; on a software page the facts come before the history;
//   - links shared with tracking parameters (utm_source, fbclid) answer 200.
//   - on the search page, a tick past the most the comparison takes is undone in the page, the
//     compare bar says why, and no request is made.
//   - an invalid push keeps the entry findable with its banner: the entry whose file turned
//     invalid (INVALID_QUERY) is found by a search, its page shows "publiccode.yml non valido
//     dal …" / "invalid since …" at the top, and each "line N" link leads to that line of the
//     file shown on the page.
//
//   - the journey of a reuse declaration: sign up, confirm the address from the mail the SMTP sink
//     received, sign in, claim an administration, confirm it from the mail to its registered
//     address (as its office would), declare reuse, and see the declaration on the software page.
//   - the reuse cases of the demo (`riuso dev demo-cases`): the list and a finished case's
//     motivation document get the page checks in both languages, and its PDF, downloaded through
//     the page, holds the needs, the candidate, the guards' values and the decision (pdftotext).
//   - the guided reuse case: a member of Ferrara (its membership confirmed from the
//     mail) opens a case and runs it from the needs to a PA-reuse decision with real catalog
//     entries, in both languages; the candidate over budget is refused with its guard named; the
//     PDF holds the needs, each candidate, the guards' values and the decision (pdftotext); every
//     wizard page passes axe-core and does not scroll sideways at 375 px.
//   - the journey of a compliance review: a reviewer (an account given the role with
//     `riuso user role`) opens the queue, claims an entry, fills the checklist and records it
//     compliant with remarks; a member of the publishing administration sees the findings on
//     the software page and opens the release checklist. The queue, the review page, the
//     release checklist and the software page with its compliance section get the page checks
//     in both languages.
//
// Environment: BASE_URL (the server), CHROMIUM (the browser binary, default /usr/bin/chromium),
// MAIL_DIR (where smtp-sink.mjs writes the mail the server sends), RIUSO_BIN (the riuso binary,
// which gives the reviewer its role on the server's database, DATABASE_URL),
// ARTIFACTS_DIR (screenshots), SEARCH_QUERY (text searched, default "comune"), DIFF_QUERY (an
// entry that has two snapshots, default "ComunicaPA"), INVALID_QUERY (the name of an entry whose
// file turned invalid after a valid one, default "GovPay Interaction Layer"), BROWSER_ONLY (run
// only the checks whose name contains it, or one of its `|`-separated parts). Exits 1 on any
// failure, with a summary.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

// The test tools are npm packages of web/package.json, installed in web/node_modules.
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const axeSource = require('axe-core').source;

const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:18081').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'target/browser-artifacts';
const QUERY = process.env.SEARCH_QUERY ?? 'comune';
const DIFF_QUERY = process.env.DIFF_QUERY ?? 'ComunicaPA';
const INVALID_QUERY = process.env.INVALID_QUERY ?? 'GovPay Interaction Layer';
const MAIL_DIR = process.env.MAIL_DIR ?? 'target/browser-mail';
const RIUSO_BIN = process.env.RIUSO_BIN ?? 'target/debug/riuso';
const LANGS = ['it', 'en'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const BROKEN_PUBLICCODE = `publiccodeYmlVersion: "0"
name: Broken example
url: "https://example.org/broken.git"
developmentStatus: stabel
softwareType: standalone/web
description:
  it:
    shortDescription: A file with mistakes, for the validator page
`;

const results = [];
const started = Date.now();

function record(name, status, problems = [], note = '') {
  results.push({ name, status, problems, note });
  const mark = { pass: 'ok', fail: 'FAIL' }[status];
  console.log(`${mark.padEnd(4)} ${name}${note ? ` — ${note}` : ''}`);
  for (const p of problems) console.log(`     ${p.replaceAll('\n', '\n     ')}`);
}

function withLang(path, lang) {
  const url = new URL(path, BASE);
  url.searchParams.set('lang', lang);
  return url.toString();
}

// Watches one page for CSP errors in the console and for same-origin requests that fail.
function watch(page) {
  const seen = { csp: [], assets: [] };
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /content.security.policy/i.test(text)) {
      // Data URLs can be long; the directive and what was refused are in the first words.
      const short = text.replace(/data:[^'"\s]{40,}/g, (d) => `${d.slice(0, 40)}…`);
      if (!seen.csp.includes(short)) seen.csp.push(short);
    }
  });
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(BASE) && req.resourceType() !== 'document') {
      seen.assets.push(`${req.url()} failed: ${req.failure()?.errorText}`);
    }
  });
  page.on('response', (resp) => {
    const req = resp.request();
    if (resp.url().startsWith(BASE) && req.resourceType() !== 'document' && resp.status() >= 400) {
      seen.assets.push(`${resp.url()} answered ${resp.status()}`);
    }
  });
  return seen;
}

async function runAxe(page) {
  await page.evaluate(axeSource);
  const outcome = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return outcome.violations.map((v) => {
    const targets = v.nodes.map((n) => n.target.join(' '));
    return `axe ${v.id} (${v.impact}): ${v.help}\n  ${targets.slice(0, 8).join('\n  ')}${targets.length > 8 ? `\n  … ${targets.length - 8} more` : ''}\n  ${v.helpUrl}`;
  });
}

// The checks every page gets once it is loaded.
async function checkLoaded(page, key, lang, seen) {
  const problems = [];
  const others = LANGS.filter((l) => l !== lang);
  const structure = await page.evaluate((others) => ({
    lang: document.documentElement.getAttribute('lang'),
    skip: !!document.querySelector('a[href="#main"]'),
    main: !!document.querySelector('main#main'),
    missing: others.filter((l) => !document.querySelector(`a[hreflang="${l}"][href*="lang=${l}"]`)),
  }), others);
  if (structure.lang !== lang) problems.push(`<html lang> is ${JSON.stringify(structure.lang)}, expected "${lang}"`);
  if (!structure.skip) problems.push('no skip link to #main');
  if (!structure.main) problems.push('no <main id="main">');
  for (const l of structure.missing) problems.push(`no language switch link a[hreflang="${l}"] to ?lang=${l}`);
  problems.push(...(await runAxe(page)));
  await page.screenshot({ path: join(ARTIFACTS, `${key}-${lang}.png`), fullPage: true });
  for (const text of seen.csp) problems.push(`CSP: ${text}`);
  for (const text of seen.assets) problems.push(`asset: ${text}`);
  return problems;
}

// Opens `path` in `lang`, checks it, and returns the page (open) for the caller to read links from.
async function visit(context, key, lang, path, { status = 200 } = {}) {
  const page = await context.newPage();
  const seen = watch(page);
  const response = await page.goto(withLang(path, lang), { waitUntil: 'load' });
  const type = response?.headers()['content-type'] ?? '';
  const problems = [];
  if (response?.status() !== status) problems.push(`${path} answered ${response?.status()}, expected ${status}`);
  if (!type.startsWith('text/html')) problems.push(`${path} answered ${type || 'no content type'}, not an HTML page`);
  problems.push(...(await checkLoaded(page, key, lang, seen)));
  return { page, problems };
}

// BROWSER_ONLY: run only the checks whose name contains it, or one of its `|`-separated parts
// (one spec while working on it).
const ONLY = (process.env.BROWSER_ONLY ?? '').split('|').filter(Boolean);

async function check(name, fn) {
  if (ONLY.length > 0 && !ONLY.some((o) => name.includes(o))) return;
  const t0 = Date.now();
  const took = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  try {
    const note = await fn();
    record(name, 'pass', [], [typeof note === 'string' ? note : '', took()].filter(Boolean).join(', '));
  } catch (e) {
    if (e instanceof Failure) record(name, 'fail', e.problems);
    else record(name, 'fail', [e?.stack?.split('\n').slice(0, 4).join('\n') ?? String(e)]);
  }
}

class Failure extends Error {
  constructor(problems) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

function expectNone(problems) {
  if (problems.length > 0) throw new Failure(problems);
}

// What the JSON API knows, so page checks can start from data that exists even before the
// search page does.
async function api(path) {
  const response = await fetch(`${BASE}${path}`);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

// A facet value of the search for `q` with at least `min` entries, `active` aside: { name, value }.
async function facetWith(q, min) {
  const body = await api(`/api/v1/software?q=${encodeURIComponent(q)}&page[size]=1`);
  const names = Object.keys(body.facets ?? {}).filter((n) => n !== 'active');
  names.sort((a, b) => (a === 'category' ? -1 : b === 'category' ? 1 : 0));
  for (const name of names) {
    const hit = body.facets[name].find((v) => v.count >= min);
    if (hit) return { name, value: String(hit.value) };
  }
  throw new Error(`no facet of the search ${JSON.stringify(q)} has ${min} entries`);
}

// Presses Tab until the focused element matches `selector`; returns how many presses it took.
async function tabTo(page, selector, max = 400) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  throw new Failure([`keyboard: ${selector} not reached in ${max} Tab presses`]);
}

// Presses `key`, waits for the page it leads to, and checks where that is.
async function pressAndNavigate(page, key, test, what) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
  if (!test(new URL(page.url()))) throw new Failure([`${key} led to ${page.url()}, not ${what}`]);
}

// Presses `key` where no navigation should follow; says whether one did (within a second).
async function pressInPlace(page, key) {
  const navigated = page.waitForNavigation({ waitUntil: 'load', timeout: 1500 }).then(() => true, () => false);
  await page.keyboard.press(key);
  return navigated;
}


// The decoded text of a message as the sink stored it (quoted-printable or base64 bodies).
function mailText(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  let body = rest.join('\r\n\r\n');
  if (/content-transfer-encoding:\s*base64/i.test(head)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return body;
}

// Waits (15 s at most) for a message to `to`, and returns the path of its first link under `prefix`.
async function linkInMail(to, prefix) {
  for (let i = 0; i < 60; i++) {
    let files = [];
    try { files = readdirSync(MAIL_DIR).sort().reverse(); } catch { files = []; }
    for (const f of files) {
      const raw = readFileSync(join(MAIL_DIR, f), 'latin1');
      if (!raw.split('\r\n')[0].includes(to)) continue;
      const text = mailText(raw);
      const at = text.indexOf(prefix);
      if (at >= 0) return text.slice(at).split(/\s/)[0];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Failure([`no mail to ${to} with a ${prefix} link in ${MAIL_DIR} after 15 s`]);
}

// The journey of a reuse declaration, through the forms, with the mail read from the sink.
async function declarationJourney(browser) {
  const email = `ada.${Date.now()}@comune.bologna.example.it`;
  const password = 'correct horse battery staple';
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const steps = [];
  const problems = [];
  try {
    const { page, problems: signUpProblems } = await visit(context, 'sign-up', 'en', '/account/sign-up');
    problems.push(...signUpProblems);
    await page.fill('#name', 'Ada Lovelace');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    steps.push('signed up');
    const verify = await linkInMail(email, '/account/verify/');
    await page.goto(`${BASE}${new URL(verify, BASE).pathname}`);
    if (!(await page.locator('main .alert-info').count())) problems.push(`the verification link answered: ${await page.locator('main').innerText()}`);
    steps.push('address confirmed from the mail');

    await page.goto(withLang('/account/sign-in', 'en'));
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    if (new URL(page.url()).pathname !== '/account') throw new Failure([`sign-in led to ${page.url()}`]);
    problems.push(...(await checkLoaded(page, 'account', 'en', watch(page))));
    steps.push('signed in');

    await page.fill('#code', 'c_a944');
    await page.click('label[for="role-admin"]');
    if (!(await page.isChecked('#role-admin'))) problems.push('clicking the admin label did not choose the role');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/account/memberships"] button[type=submit]')]);
    steps.push('claimed c_a944');
    const confirm = await linkInMail('protocollo@pec.bologna.example.invalid', '/memberships/confirm/');
    const office = await browser.newContext();
    const officePage = await office.newPage();
    await officePage.goto(`${BASE}${new URL(confirm, BASE).pathname}?lang=en`);
    problems.push(...(await checkLoaded(officePage, 'membership-confirm', 'en', watch(officePage))));
    await Promise.all([officePage.waitForNavigation(), officePage.click('#confirm-membership')]);
    await office.close();
    steps.push('confirmed from the mail to the PEC');

    const slug = (await api('/api/v1/software?q=ComunicaPA&page[size]=1')).data?.[0]?.slug;
    await page.goto(withLang(`/software/${slug}`, 'en'));
    await page.click('#declare summary');
    await page.fill('#d-version', '1.4.2');
    await page.fill('#d-contact', 'ced@comune.bologna.example.it');
    await Promise.all([page.waitForNavigation(), page.click('#declare-form button[type=submit]')]);
    if (!new URL(page.url()).pathname.startsWith('/declarations/')) throw new Failure([`declaring led to ${page.url()}`]);
    problems.push(...(await checkLoaded(page, 'declaration', 'en', watch(page))));
    const issue = await page.locator('#open-issue').getAttribute('href');
    if (!issue?.includes('/issues/new?title=')) problems.push(`the Annex D issue link is ${issue}`);
    steps.push('declared');

    await page.goto(withLang(`/software/${slug}`, 'en'));
    const section = await page.locator('#declarations').innerText();
    if (!section.includes('Comune di Bologna')) problems.push(`the software page does not show the declaration: ${section}`);
    problems.push(...(await checkLoaded(page, 'software-declared', 'en', watch(page))));
    await page.close();
    expectNone(problems);
    return steps.join('; ');
  } catch (e) {
    if (e instanceof Failure) e.problems.unshift(`after: ${steps.join('; ') || 'nothing'}`);
    throw e;
  } finally {
    await context.close();
  }
}

// Signs up `email` through the form, confirms the address from the mail, and signs in on `page`.
async function signUpAndIn(page, name, email, password) {
  await page.goto(withLang('/account/sign-up', 'en'));
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  const verify = await linkInMail(email, '/account/verify/');
  await page.goto(`${BASE}${new URL(verify, BASE).pathname}`);
  await page.goto(withLang('/account/sign-in', 'en'));
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  if (new URL(page.url()).pathname !== '/account') throw new Failure([`signing in ${email} led to ${page.url()}`]);
}

// Waits (20 s at most) until the review of `slug` is in `state`, as the API tells it.
async function reviewState(slug, state) {
  let last = null;
  for (let i = 0; i < 80; i++) {
    last = (await api(`/api/v1/reviews/${encodeURIComponent(slug)}`)).state;
    if (last === state) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Failure([`the review of ${slug} is ${last}, not ${state}, after 20 s`]);
}

const CHECKLIST = ['declared-compliance', 'ownership', 'licence-motivation', 'accessibility-declaration', 'copyright-holder'];

// The journey of a compliance review, through the forms: a reviewer claims an entry, fills the
// checklist and records it compliant with remarks; a member of the publishing administration
// sees the findings on the software page. The review pages, the release checklist and the
// software page get the page checks in both languages on the way.
async function reviewJourney(browser) {
  const stamp = Date.now();
  const password = 'correct horse battery staple';
  const reviewer = `rev.${stamp}@example.org`;
  const owner = `ufficio.${stamp}@comune.montesilvano.example.it`;
  const remark = 'The README does not name the maintainers';
  const fix = 'Add a Maintainers section with the office and its address';
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const steps = [];
  const problems = [];
  try {
    const entry = (await api('/api/v1/software?q=GovPay&page[size]=1')).data?.[0];
    if (!entry) throw new Failure(['no GovPay entry in the catalog']);
    const slug = entry.slug;
    await reviewState(slug, 'auto-checked');
    steps.push(`${slug} checked automatically`);

    const page = await context.newPage();
    await signUpAndIn(page, 'Rita Revisori', reviewer, password);
    execFileSync(RIUSO_BIN, ['user', 'role', reviewer, 'reviewer'], { stdio: 'pipe' });
    steps.push('reviewer signed up and given the role');

    for (const lang of LANGS) {
      const { page: queue, problems: found } = await visit(context, 'review-queue', lang, '/review');
      problems.push(...found);
      if ((await queue.locator(`table.review-queue a[href="/review/${slug}"]`).count()) === 0) problems.push(`/review (${lang}) does not list ${slug}`);
      await queue.close();
      const { page: one, problems: atOne } = await visit(context, 'review-entry', lang, `/review/${slug}`);
      problems.push(...atOne);
      await one.close();
    }
    steps.push('queue and review page checked');

    await page.goto(withLang(`/review/${slug}`, 'en'));
    await Promise.all([page.waitForNavigation(), page.click('#claim')]);
    if ((await page.locator('#record-form').count()) === 0) throw new Failure(['after the claim, no #record-form on the review page']);
    steps.push('claimed');
    for (const lang of LANGS) {
      const { page: form, problems: atForm } = await visit(context, 'review-record-form', lang, `/review/${slug}`);
      problems.push(...atForm);
      await form.close();
    }

    await page.goto(withLang(`/review/${slug}`, 'en'));
    for (const item of CHECKLIST) {
      await page.click(`label[for="v-${item}-confirmed"]`);
      if (!(await page.isChecked(`#v-${item}-confirmed`))) problems.push(`clicking the label did not confirm ${item}`);
      await page.fill(`#n-${item}`, `${item}: looked at the repository and the contract`);
    }
    await page.selectOption('#remark-item', 'copyright-holder');
    await page.fill('#remark', remark);
    await page.fill('#remark-fix', fix);
    await page.click('label[for="o-compliant-with-remarks"]');
    await Promise.all([page.waitForNavigation(), page.click('#record')]);
    if (new URL(page.url()).pathname !== `/review/${slug}`) throw new Failure([`recording led to ${page.url()}: ${await page.locator('main').innerText()}`]);
    const recorded = (await page.locator('#review-state').innerText()).trim();
    if (recorded !== 'Compliant with remarks') problems.push(`after recording, the review page says ${JSON.stringify(recorded)}`);
    problems.push(...(await checkLoaded(page, 'review-recorded', 'en', watch(page))));
    steps.push('recorded compliant with remarks');

    // The owner: a member of the publishing administration, confirmed by its registered address.
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ownerContext.setDefaultTimeout(10_000);
    try {
      const mine = await ownerContext.newPage();
      await signUpAndIn(mine, 'Ufficio ICT', owner, password);
      await mine.fill('#code', 'c_f646');
      await Promise.all([mine.waitForNavigation(), mine.click('form[action="/account/memberships"] button[type=submit]')]);
      const confirm = await linkInMail('protocollo@pec.montesilvano.example.invalid', '/memberships/confirm/');
      const office = await browser.newContext();
      const officePage = await office.newPage();
      await officePage.goto(`${BASE}${new URL(confirm, BASE).pathname}?lang=en`);
      await Promise.all([officePage.waitForNavigation(), officePage.click('#confirm-membership')]);
      await office.close();
      steps.push('owner signed up and confirmed as a member of c_f646');

      const expected = { it: 'Conforme con osservazioni', en: 'Compliant with remarks' };
      for (const lang of LANGS) {
        const { page: software, problems: atSoftware } = await visit(ownerContext, 'software-reviewed', lang, `/software/${slug}`);
        problems.push(...atSoftware);
        const state = (await software.locator('#compliance #review-state').innerText().catch(() => '')).trim();
        if (state !== expected[lang]) problems.push(`the software page (${lang}) shows the review as ${JSON.stringify(state)}`);
        const findings = await software.locator('#compliance #findings').innerText().catch(() => '');
        if (!findings.includes(remark) || !findings.includes(fix)) problems.push(`the software page (${lang}) does not show the finding and its fix: ${JSON.stringify(findings)}`);
        if ((await software.locator(`a[href="/software/${slug}/release"]`).count()) === 0) problems.push(`the software page (${lang}) has no link to the release checklist for its owner`);
        await software.close();
        const { page: release, problems: atRelease } = await visit(ownerContext, 'release-checklist', lang, `/software/${slug}/release`);
        problems.push(...atRelease);
        if ((await release.locator('table.release-checklist tbody tr').count()) === 0) problems.push(`the release checklist (${lang}) has no step`);
        await release.close();
      }
      steps.push('owner saw the findings and the release checklist');
    } finally {
      await ownerContext.close();
    }
    await page.close();
    expectNone(problems);
    return steps.join('; ');
  } catch (e) {
    if (e instanceof Failure) e.problems.unshift(`after: ${steps.join('; ') || 'nothing'}`);
    throw e;
  } finally {
    await context.close();
  }
}

const PHONE = { width: 375, height: 667 };

// The elements wider than the viewport, outermost first: what makes a page scroll sideways.
async function overflowing(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) continue;
      if (found.some((f) => f.contains(el))) continue;
      // Inside a box that scrolls on its own, overflowing is what it is for.
      let scroller = el.parentElement;
      while (scroller && scroller !== document.body) {
        const style = getComputedStyle(scroller);
        if (/(auto|scroll|hidden)/.test(style.overflowX) && scroller.getBoundingClientRect().right <= width + 1) break;
        scroller = scroller.parentElement;
      }
      if (scroller && scroller !== document.body) continue;
      found.push(el);
    }
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`;
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width,
      culprits: found.slice(0, 6).map(describe),
    };
  });
}

// Every page type on a 375 px wide screen, in `lang`: nothing scrolls sideways, and the search
// and software pages put first what a reader on a phone came for.
async function phoneChecks(browser, lang, paths) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(10_000);
  const problems = [];
  try {
    for (const [key, path] of Object.entries(paths)) {
      const page = await context.newPage();
      const response = await page.goto(withLang(path, lang), { waitUntil: 'load' });
      if (response?.status() !== (key === 'not-found' ? 404 : 200)) problems.push(`${path} answered ${response?.status()}`);
      const wide = await overflowing(page);
      if (wide.scrollWidth > wide.width) {
        problems.push(`${key} ${path}: ${wide.scrollWidth} px wide in a ${wide.width} px screen; too wide: ${wide.culprits.join(', ') || 'nothing found'}`);
      }
      await page.screenshot({ path: join(ARTIFACTS, `phone-${key}-${lang}.png`), fullPage: true });
      if (key === 'search') {
        const layout = await page.evaluate(() => {
          const first = document.querySelector('ol#results > li');
          const filters = document.querySelector('details#filters');
          return {
            firstTop: first?.getBoundingClientRect().top ?? null,
            height: window.innerHeight,
            open: filters?.open ?? null,
            summary: filters?.querySelector('summary')?.textContent?.replace(/\s+/g, ' ').trim() ?? null,
          };
        });
        if (layout.open !== false) problems.push(`search: the filters are not behind a closed <details id="filters"> (open: ${layout.open})`);
        if (!/\(\d+\)/.test(layout.summary ?? '')) problems.push(`search: the filters' summary does not count the active filters: ${JSON.stringify(layout.summary)}`);
        if (layout.firstTop === null) problems.push('search: no result');
        else if (layout.firstTop >= layout.height) problems.push(`search: the first result starts at ${Math.round(layout.firstTop)} px, below the ${layout.height} px screen`);
        // Still usable without JavaScript's help: the summary opens the filters.
        await page.locator('details#filters > summary').click();
        if (!(await page.locator('#apply-filters').isVisible())) problems.push('search: opening the filters does not show #apply-filters');
      }
      if (key === 'software') {
        const order = await page.evaluate(() => {
          const facts = document.querySelector('#facts-title');
          const history = document.querySelector('#history-title');
          return facts && history ? facts.getBoundingClientRect().top < history.getBoundingClientRect().top : null;
        });
        if (order !== true) problems.push(`software: the facts do not come before the history (${order})`);
      }
      await page.close();
    }
  } finally {
    await context.close();
  }
  expectNone(problems);
  return `${Object.keys(paths).length} pages at ${PHONE.width} px`;
}

// The reuse cases `riuso dev demo-cases` loaded: the list and the finished case's motivation
// document get the page checks; its PDF, downloaded through the page's link, holds the needs,
// the candidate, the guards with their values and the decision (read with poppler's pdftotext).
async function casesChecks(browser, lang) {
  const cases = await api('/api/v1/cases');
  const finished = cases.data?.find((c) => c.state === 'closed');
  if (!finished) throw new Failure(['/api/v1/cases lists no closed case: the demo cases are missing']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  try {
    const { page: list, problems } = await visit(context, 'cases', lang, '/cases');
    if ((await list.locator(`main a[href="/cases/${finished.id}"]`).count()) === 0) problems.push(`/cases does not link /cases/${finished.id}`);
    await list.close();
    const { page, problems: shown } = await visit(context, 'case', lang, `/cases/${finished.id}`);
    problems.push(...shown);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
    const file = join(ARTIFACTS, `case-${lang}.pdf`);
    await download.saveAs(file);
    await page.close();
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const needles = lang === 'it'
      ? ['Esigenze e vincoli', 'pagoPA', 'GovPay Interaction Layer', 'S_TCO € 29.000 < T_bilancio € 40.000', 'S_tempi 90 giorni < T_tempi 150 giorni', 'Riuso di una soluzione PA']
      : ['Needs and constraints', 'pagoPA', 'GovPay Interaction Layer', 'S_TCO € 29,000 < T_bilancio € 40,000', 'S_tempi 90 days < T_tempi 150 days', 'Reuse of a PA solution'];
    for (const needle of needles) {
      if (!text.includes(needle)) problems.push(`the PDF's text lacks ${JSON.stringify(needle)}`);
    }
    expectNone(problems);
    return `/cases/${finished.id}, ${file}`;
  } finally {
    await context.close();
  }
}

// The guided reuse case, in `lang`, by `page` (a member of an administration, signed in): open a case, the
// needs, two searches of the catalog from inside the case, two candidates evaluated (one over
// budget), the decision refused for that one with its guard named and taken for the other, the
// PDF downloaded and read with pdftotext. Every wizard page gets the page checks (axe-core
// included) and must not scroll sideways at 375 px.
async function caseWizard(context, page, lang) {
  const problems = [];
  const seen = watch(page);
  let n = 0;
  const checked = async (key) => {
    n += 1;
    problems.push(...(await checkLoaded(page, `wizard-${n}-${key}`, lang, seen)));
    await page.setViewportSize(PHONE);
    const wide = await overflowing(page);
    if (wide.scrollWidth > wide.width) problems.push(`${key} (${lang}) at ${PHONE.width} px: ${wide.scrollWidth} px wide; too wide: ${wide.culprits.join(', ')}`);
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  const submit = (selector) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  const tick = (id) => page.click(`label[for="${id}"]`);
  const requirement = lang === 'it' ? 'Invio di avvisi ai cittadini' : 'Notices sent to citizens';

  await page.goto(withLang('/cases', lang));
  await submit('#new-case');
  await checked('new');
  await page.fill('#title', lang === 'it' ? 'Avvisi ai cittadini' : 'Notices to citizens');
  await page.fill('#scope', 'Avvisi');
  await page.fill('#officer', 'RTD');
  await submit('#new-case-form button[type=submit]');
  const id = new URL(page.url()).pathname.split('/')[2];
  await checked('needs');
  // A refused form keeps what was written and says why next to the field.
  await page.fill('#f-context', 'Comunicazioni del Comune');
  await page.fill('#f-budget', 'molti');
  await submit('#save-needs');
  await checked('needs-errors');
  if ((await page.inputValue('#f-context')) !== 'Comunicazioni del Comune') problems.push('the needs form lost the context after an error');
  if ((await page.locator('#f-budget-error').count()) === 0) problems.push('no error next to the budget');
  await page.fill('#f-req_0_text', requirement);
  await tick('f-req_0_indispensable');
  await page.fill('#f-req_1_text', 'App IO');
  await page.fill('#f-budget', '10000');
  await page.fill('#f-days', '120');
  await tick('f-norm-accessibility');
  await submit('#save-needs');
  await submit('#start-search');
  await checked('search');
  for (const q of ['ComunicaPA', 'Whistleblowing']) {
    await page.fill('#f-q', q);
    await submit('#run-search');
  }
  for (const name of ['ComunicaPA', 'Whistleblowing']) {
    const label = page.locator('#shortlist-form .form-check label', { hasText: name }).first();
    await label.click();
  }
  await submit('#shortlist');
  await checked('evaluate');
  const costs = { ComunicaPA: { tco_cloud: '3000', tco_training: '1500', days: '60' }, Whistleblowing: { tco_integration: '25000', days: '200' } };
  for (let i = 0; i < 2; i++) {
    await page.goto(`${BASE}/cases/${id}/wizard`);
    const title = await page.locator('#evaluation-title').innerText();
    const name = title.includes('Whistleblowing') ? 'Whistleblowing' : 'ComunicaPA';
    for (const [field, value] of Object.entries(costs[name])) await page.fill(`#f-${field}`, value);
    await submit('#save-evaluation');
  }
  await checked('evaluated');
  await submit('#to-decision');
  await checked('decision');
  await page.selectOption('#f-choice', { label: 'Whistleblowing' });
  await page.fill('#f-version', '1.0');
  await page.fill('#f-motivation', lang === 'it' ? 'Motivazione della scelta' : 'Why this one');
  await submit('#decide');
  const refused = await page.locator('#guard-refused').innerText().catch(() => '');
  if (!refused.includes('over-budget')) problems.push(`choosing the candidate over budget was not refused by over-budget: ${JSON.stringify(refused)}`);
  await checked('decision-refused');
  await page.selectOption('#f-choice', { label: 'ComunicaPA' });
  await submit('#decide');
  await checked('follow-up');
  if ((await page.locator('#chosen-obligations li').count()) === 0) problems.push('the decision lists no Annex E obligation');

  await page.goto(withLang(`/cases/${id}`, lang));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
  const file = join(ARTIFACTS, `wizard-case-${lang}.pdf`);
  await download.saveAs(file);
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const needles = lang === 'it'
    ? [requirement, 'ComunicaPA', 'Whistleblowing', 'S_TCO € 4.500 < T_bilancio € 10.000', 'S_TCO € 25.000 < T_bilancio € 10.000', 'S_tempi 60 giorni < T_tempi 120 giorni', 'Riuso di una soluzione PA']
    : [requirement, 'ComunicaPA', 'Whistleblowing', 'S_TCO € 4,500 < T_bilancio € 10,000', 'S_TCO € 25,000 < T_bilancio € 10,000', 'S_tempi 60 days < T_tempi 120 days', 'Reuse of a PA solution'];
  for (const needle of needles) {
    if (!text.includes(needle)) problems.push(`the PDF (${lang}) lacks ${JSON.stringify(needle)}`);
  }
  return { id, problems };
}

// A member of c_d548, Ferrara (signed up, the membership confirmed from the mail to its registered
// address) runs a guided case in each language. Not Bologna: the declaration journey claims it, and
// its mail must not be mistaken for this one's.
async function caseWizardJourney(browser) {
  const email = `rtd.${Date.now()}@comune.ferrara.example.it`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const problems = [];
  const done = [];
  try {
    const page = await context.newPage();
    await signUpAndIn(page, 'Responsabile transizione digitale', email, 'correct horse battery staple');
    await page.fill('#code', 'c_d548');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/account/memberships"] button[type=submit]')]);
    const confirm = await linkInMail('protocollo@pec.c-d548.example.invalid', '/memberships/confirm/');
    const office = await browser.newContext();
    const officePage = await office.newPage();
    await officePage.goto(`${BASE}${new URL(confirm, BASE).pathname}?lang=en`);
    await Promise.all([officePage.waitForNavigation(), officePage.click('#confirm-membership')]);
    await office.close();
    for (const lang of LANGS) {
      const { id, problems: found } = await caseWizard(context, page, lang);
      problems.push(...found);
      done.push(`/cases/${id} (${lang})`);
    }
  } finally {
    await context.close();
  }
  expectNone(problems);
  return done.join(', ');
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const facet = await facetWith(QUERY, 2);
    const searchPath = `/software?q=${encodeURIComponent(QUERY)}&${encodeURIComponent(facet.name)}=${encodeURIComponent(facet.value)}`;
    const firstSlug = (await api(`/api/v1/software?q=${encodeURIComponent(QUERY)}&page[size]=1`)).data?.[0]?.slug;
    const diffSlug = (await api(`/api/v1/software?q=${encodeURIComponent(DIFF_QUERY)}&page[size]=1`)).data?.[0]?.slug;

    for (const lang of LANGS) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const found = { slug: null, ids: [], publisher: null, diff: null };

      await check(`home (${lang})`, async () => {
        const { page, problems } = await visit(context, 'home', lang, '/');
        const form = await page.locator('form[role="search"]:has(input#q[name="q"])').getAttribute('action').catch(() => null);
        if (form === null || new URL(form, BASE).pathname !== '/software') problems.push('no form[role=search] with input#q[name=q] submitting to /software');
        await page.close();
        expectNone(problems);
      });

      await check(`search with a facet filter (${lang})`, async () => {
        const { page, problems } = await visit(context, 'search', lang, searchPath);
        const results = page.locator('ol#results > li');
        const n = await results.count();
        if (n === 0) problems.push(`${searchPath}: no results in ol#results`);
        const ticked = await page.locator(`input[type="checkbox"][name="${facet.name}"][value="${facet.value}"]`).isChecked().catch(() => false);
        if (!ticked) problems.push(`the facet ${facet.name}=${facet.value} is not shown ticked`);
        for (const sel of ['form#search-form input#q', '#apply-filters', 'form#compare-form', '#compare-button']) {
          if ((await page.locator(sel).count()) === 0) problems.push(`no ${sel}`);
        }
        const href = await results.first().locator('a.result-link').getAttribute('href').catch(() => null);
        if (href) found.slug = decodeURIComponent(new URL(href, BASE).pathname.split('/')[2] ?? '');
        else if (n > 0) problems.push('the first result has no a.result-link');
        found.ids = await page.locator('input[name="id"][form="compare-form"]').evaluateAll((els) => els.map((e) => e.value));
        if (n > 0 && found.ids.length < 2) problems.push('fewer than two compare checkboxes input[name=id][form=compare-form]');
        await page.close();
        expectNone(problems);
        return `${n} results for ${searchPath}`;
      });

      await check(`software page (${lang})`, async () => {
        const slug = found.slug ?? firstSlug;
        const { page, problems } = await visit(context, 'software', lang, `/software/${encodeURIComponent(slug)}`);
        const publisher = await page.locator('main a[href^="/publishers/"]').first().getAttribute('href').catch(() => null);
        if (publisher) found.publisher = publisher;
        else problems.push('no link to the publisher page (a[href^="/publishers/"])');
        await page.close();
        expectNone(problems);
        return `/software/${slug}${found.slug ? '' : ' (the search gave none: the first of the API)'}`;
      });

      await check(`snapshot diff (${lang})`, async () => {
        // The entry changed after its first import, so its page offers a diff of its snapshots:
        // a link, or a form (GET) choosing the two snapshots.
        const entry = await context.newPage();
        const response = await entry.goto(withLang(`/software/${encodeURIComponent(diffSlug)}`, lang));
        const href = await entry.evaluate(() => {
          const link = document.querySelector('main a[href*="/diff"]');
          if (link) return link.getAttribute('href');
          const form = document.querySelector('main form[action$="/diff"]');
          if (!form) return null;
          const query = new URLSearchParams(new FormData(form)).toString();
          return `${form.getAttribute('action')}${query ? `?${query}` : ''}`;
        });
        await entry.close();
        if (!href) throw new Failure([`/software/${diffSlug} answered ${response?.status()} and offers no diff, yet it has two snapshots`]);
        const { page, problems } = await visit(context, 'diff', lang, href);
        await page.close();
        expectNone(problems);
        return href;
      });

      await check(`an invalid push keeps the entry findable with its banner (${lang})`, async () => {
        const search = `/software?q=${encodeURIComponent(INVALID_QUERY)}`;
        const { page: results, problems } = await visit(context, 'search-invalid', lang, search);
        const hrefs = await results.locator('ol#results a.result-link').evaluateAll(
          (links, name) => links.filter((a) => a.textContent.trim() === name).map((a) => a.getAttribute('href')),
          INVALID_QUERY,
        );
        const badge = await results.locator('ol#results li.result:has(a.result-link) .result-invalid').count();
        if (badge === 0) problems.push(`${search}: no result says its publiccode.yml is invalid (.result-invalid)`);
        await results.close();
        if (hrefs.length !== 1) throw new Failure([...problems, `${search}: ${hrefs.length} results named ${INVALID_QUERY}, expected 1`]);
        const { page, problems: shown } = await visit(context, 'software-invalid', lang, hrefs[0]);
        problems.push(...shown);
        const title = await page.locator('#invalid-banner #invalid-title').innerText().catch(() => '');
        const expected = lang === 'it' ? /^publiccode\.yml non valido dal \d{4}-\d{2}-\d{2}$/ : /^publiccode\.yml invalid since \d{4}-\d{2}-\d{2}$/;
        if (!expected.test(title.trim())) problems.push(`the banner's title is ${JSON.stringify(title)}`);
        // Under the title: only the other names and the publisher may come between.
        const place = await page.evaluate(() => [...document.querySelectorAll('main h1 ~ *')].findIndex((e) => e.id === 'invalid-banner'));
        if (place === -1 || place > 3) problems.push(`the banner is not at the top of the page, under the title (${place})`);
        const links = page.locator('#invalid-diagnostics a[href^="#"]');
        const n = await links.count();
        if (n === 0) problems.push('no "line N" link in the banner');
        for (let i = 0; i < n; i += 1) {
          const link = links.nth(i);
          const target = (await link.getAttribute('href')).slice(1);
          await link.click();
          // The page may scroll smoothly: the line has a moment to come into view.
          const landed = await page.waitForFunction((id) => {
            const el = document.getElementById(id);
            if (!el) return 'missing';
            const box = el.getBoundingClientRect();
            return location.hash === `#${id}` && box.top >= 0 && box.bottom <= window.innerHeight ? 'shown' : false;
          }, target, { timeout: 3000 }).then((h) => h.jsonValue()).catch(() => 'not scrolled to');
          if (landed !== 'shown') problems.push(`the link to #${target}: ${landed}`);
        }
        await page.close();
        expectNone(problems);
        return `${hrefs[0]}: ${n} line links`;
      });

      await check(`publisher page (${lang})`, async () => {
        if (!found.publisher) throw new Failure(['no publisher link on the software page to follow']);
        const { page, problems } = await visit(context, 'publisher', lang, found.publisher);
        await page.close();
        expectNone(problems);
        return found.publisher;
      });

      await check(`publishers list (${lang})`, async () => {
        const { page, problems } = await visit(context, 'publishers', lang, '/publishers');
        if ((await page.locator('main a[href^="/publishers/"]').count()) === 0) problems.push('no link to a publisher page');
        await page.close();
        expectNone(problems);
      });

      await check(`compare (${lang})`, async () => {
        let ids = found.ids.slice(0, 2);
        if (ids.length < 2) {
          const body = await api(`/api/v1/software?q=${encodeURIComponent(QUERY)}&page[size]=2`);
          ids = body.data.map((e) => String(e.id));
        }
        const path = `/compare?${ids.map((id) => `id=${encodeURIComponent(id)}`).join('&')}`;
        const { page, problems } = await visit(context, 'compare', lang, path);
        if ((await page.locator('table#compare-table').count()) === 0) problems.push('no table#compare-table');
        await page.close();
        expectNone(problems);
        return path;
      });

      await check(`a fifth compare tick is undone in the page, with a message, before any request (${lang})`, async () => {
        const { page, problems } = await visit(context, 'search-compare-limit', lang, '/software');
        const boxes = page.locator('ol#results input[name="id"][form="compare-form"]');
        const max = Number(await page.locator('#compare-count').getAttribute('data-max'));
        if (!(max > 0)) problems.push('#compare-count carries no data-max');
        if ((await boxes.count()) <= max) problems.push(`fewer than ${max + 1} results to tick on /software`);
        expectNone(problems);
        // Ticked as a keyboard user does (the boxes are drawn by their labels): focus, Space.
        const tick = async (i) => {
          await boxes.nth(i).focus();
          await page.keyboard.press('Space');
        };
        for (let i = 0; i < max; i += 1) await tick(i);
        const requests = [];
        page.on('request', (req) => requests.push(req.url()));
        await tick(max);
        const status = page.locator('#compare-count');
        if (await boxes.nth(max).isChecked()) problems.push(`tick number ${max + 1} stayed ticked`);
        if (!(await status.evaluate((el) => el.classList.contains('compare-limit')))) problems.push('#compare-count does not say the limit was reached');
        const said = (await status.innerText()).trim();
        if (!said.includes(String(max))) problems.push(`#compare-count says ${JSON.stringify(said)}, not the limit of ${max}`);
        const ticked = await boxes.evaluateAll((els) => els.filter((e) => e.checked).length);
        if (ticked !== max) problems.push(`${ticked} ticked after the refused tick, expected ${max}`);
        if (requests.length > 0) problems.push(`the refused tick made requests: ${requests.join(', ')}`);
        await page.close();
        expectNone(problems);
        return said;
      });

      await check(`validator (${lang})`, async () => {
        const { page, problems } = await visit(context, 'validator', lang, '/validator');
        await page.close();
        expectNone(problems);
      });

      await check(`validator with a broken file (${lang})`, async () => {
        const { page, problems } = await visit(context, 'validator', lang, '/validator');
        expectNone(problems);
        const seen = watch(page);
        await page.locator('form#validator-form textarea#publiccode[name="publiccode"]').fill(BROKEN_PUBLICCODE);
        const [response] = await Promise.all([
          page.waitForNavigation({ waitUntil: 'load' }),
          page.locator('form#validator-form #validate-button').click(),
        ]);
        const after = [];
        if (response?.request().method() !== 'POST') after.push('the form did not POST');
        const diagnostics = await page.locator('#diagnostics').innerText().catch(() => null);
        if (diagnostics === null) after.push('no #diagnostics after the POST');
        else if (!/stabel|developmentStatus/.test(diagnostics)) after.push('#diagnostics does not mention the wrong developmentStatus');
        after.push(...(await checkLoaded(page, 'validator-result', lang, seen)));
        await page.close();
        expectNone(after);
      });

      await check(`API documentation (${lang})`, async () => {
        const { page, problems } = await visit(context, 'api', lang, '/api');
        await page.close();
        expectNone(problems);
      });

      await check(`footer notices (${lang})`, async () => {
        const problems = [];
        for (const path of ['/accessibility', '/privacy', '/legal']) {
          const { page, problems: found } = await visit(context, path.slice(1), lang, path);
          problems.push(...found);
          if ((await page.locator(`footer a[href="${path}"]`).count()) !== 1) problems.push(`no footer link to ${path}`);
          await page.close();
        }
        expectNone(problems);
      });

      await check(`page not found (${lang})`, async () => {
        const { page, problems } = await visit(context, 'not-found', lang, '/no-such-page', { status: 404 });
        await page.close();
        expectNone(problems);
      });

      await context.close();
    }

    const publisherCode = (await api('/api/v1/organisations?page[size]=1')).data?.[0]?.ipaCode;
    const phonePaths = {
      home: '/',
      search: searchPath,
      software: `/software/${encodeURIComponent(firstSlug)}`,
      diff: `/software/${encodeURIComponent(diffSlug)}/diff`,
      publishers: '/publishers',
      publisher: `/publishers/${encodeURIComponent(publisherCode)}`,
      compare: `/compare?id=${encodeURIComponent(firstSlug)}&id=${encodeURIComponent(diffSlug)}`,
      validator: '/validator',
      api: '/api',
      'sign-up': '/account/sign-up',
      'sign-in': '/account/sign-in',
      accessibility: '/accessibility',
      privacy: '/privacy',
      legal: '/legal',
      'not-found': '/no-such-page',
    };
    for (const lang of LANGS) {
      await check(`reuse cases: the list, a motivation document and its PDF (${lang})`, () => casesChecks(browser, lang));
    }
    const firstCase = (await api('/api/v1/cases')).data?.[0]?.id;
    if (firstCase) {
      phonePaths.cases = '/cases';
      phonePaths.case = `/cases/${firstCase}`;
    }
    for (const lang of LANGS) {
      await check(`phone, 375 px (${lang})`, () => phoneChecks(browser, lang, phonePaths));
    }

    await check('links with tracking parameters answer 200', async () => {
      const problems = [];
      const tracking = 'utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc';
      for (const path of Object.values(phonePaths).filter((p) => p !== phonePaths['not-found'])) {
        const url = `${BASE}${path}${path.includes('?') ? '&' : '?'}${tracking}`;
        const response = await fetch(url);
        if (response.status !== 200) problems.push(`${url} answered ${response.status}`);
      }
      expectNone(problems);
    });

    await check('language remembered in a cookie', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = [];
      for (const lang of LANGS) {
        await page.goto(withLang('/', lang));
        await page.goto(`${BASE}/publishers`);
        const shown = await page.evaluate(() => document.documentElement.lang);
        if (shown !== lang) problems.push(`after ?lang=${lang}, /publishers without ?lang is in ${JSON.stringify(shown)}`);
      }
      await context.close();
      expectNone(problems);
    });

    await check('keyboard-only journey', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const steps = [];
      try {
        await page.goto(withLang('/', 'it'));
        await page.keyboard.press('Tab');
        if (!(await page.evaluate(() => document.activeElement?.matches('a[href="#main"]')))) {
          throw new Failure(['the first Tab press does not focus the skip link to #main']);
        }
        steps.push('Tab to the skip link');
        steps.push(`Tab×${await tabTo(page, 'input#q')} to the search box`);
        await page.keyboard.type(QUERY);
        await pressAndNavigate(page, 'Enter', (u) => u.pathname === '/software', 'the search page');
        steps.push(`typed ${JSON.stringify(QUERY)}, Enter`);

        // Problems that do not stop the journey; reported at its end.
        const problems = [];
        const facetBox = `form#search-form input[type="checkbox"][name="${facet.name}"][value="${facet.value}"]`;
        steps.push(`Tab×${await tabTo(page, facetBox)} to the facet ${facet.name}=${facet.value}, Space`);
        if (await pressInPlace(page, 'Space')) {
          problems.push('Space on a facet checkbox submitted the search at once: a change of context on input '
            + '(WCAG 3.2.2, failure F36), and keyboard focus went back to the top of the page');
        }
        if (!(await page.locator(facetBox).isChecked())) throw new Failure(['Space did not tick the facet checkbox']);
        steps.push(`Tab×${await tabTo(page, '#apply-filters')} to #apply-filters, Enter`);
        await pressAndNavigate(page, 'Enter', (u) => u.searchParams.getAll(facet.name).includes(facet.value),
          `a search filtered on ${facet.name}=${facet.value}`);
        const filtered = page.url();

        steps.push(`Tab×${await tabTo(page, 'ol#results > li a.result-link')} to the first result, Enter`);
        await pressAndNavigate(page, 'Enter', (u) => u.pathname.startsWith('/software/'), 'a software page');
        await page.goBack({ waitUntil: 'load' });
        if (page.url() !== filtered) throw new Failure([`back went to ${page.url()}, not ${filtered}`]);
        steps.push('back to the results');

        const box = 'ol#results input[name="id"][form="compare-form"]';
        const ticked = [];
        while (ticked.length < 2) {
          const selector = `${box}${ticked.map((t) => `:not([value="${t.id}"])`).join('')}`;
          steps.push(`Tab×${await tabTo(page, selector)} to a compare checkbox, Space`);
          if (await pressInPlace(page, 'Space')) throw new Failure(['Space on a compare checkbox left the page']);
          const entry = await page.evaluate(() => {
            const el = document.activeElement;
            const name = el.closest('li')?.querySelector('a.result-link')?.textContent ?? '';
            return { id: el.value, checked: el.checked, name: name.replace(/\s+/g, ' ').trim() };
          });
          if (!entry.checked) throw new Failure(['Space did not tick the compare checkbox']);
          ticked.push(entry);
        }
        steps.push(`Tab×${await tabTo(page, '#compare-button')} to #compare-button, Enter`);
        await pressAndNavigate(page, 'Enter', (u) => u.pathname === '/compare', 'the compare page');
        const ids = new URL(page.url()).searchParams.getAll('id');
        const table = (await page.locator('table#compare-table').innerText().catch(() => '')).replace(/\s+/g, ' ');
        for (const t of ticked) {
          if (!ids.includes(t.id)) problems.push(`/compare was not asked for id ${t.id} (${page.url()})`);
          if (!table.includes(t.name)) problems.push(`table#compare-table does not list ${JSON.stringify(t.name)}`);
        }
        expectNone(problems);
        await page.screenshot({ path: join(ARTIFACTS, 'keyboard-journey-compare.png'), fullPage: true });
        return steps.join('; ');
      } catch (e) {
        if (e instanceof Failure) e.problems.unshift(`after: ${steps.join('; ') || 'nothing'}`);
        throw e;
      } finally {
        await context.close();
      }
    });
    await check('guided reuse case (needs, search, evaluation, decision, PDF) in both languages', () => caseWizardJourney(browser));
    await check('declaration journey (sign up, mail, claim, confirm, declare)', () => declarationJourney(browser));
    await check('review journey (claim, checklist, compliant with remarks, the owner sees it)', () => reviewJourney(browser));
  } finally {
    await browser.close();
  }
}

try {
  await main();
} catch (e) {
  record('browser tests', 'fail', [e?.stack ?? String(e)]);
}

const count = (s) => results.filter((r) => r.status === s).length;
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (count('fail') > 0) {
  console.log('\nFailed:');
  for (const r of results.filter((x) => x.status === 'fail')) console.log(`  ${r.name}`);
}
console.log(`\n${seconds} s; screenshots in ${ARTIFACTS}`);
console.log(`browser: ${count('pass')} passed, ${count('fail')} failed`);
process.exit(count('fail') > 0 ? 1 : 0);
