// Assembles web/dist, the directory `riuso serve` publishes at /static/ (RIUSO_ASSETS_DIR), from
// the npm packages in web/node_modules and our own files in web/static. `make assets` runs it
// after `npm ci`; web/dist is rebuilt from scratch each time and never committed.
//
// Layout of web/dist:
//   bootstrap-italia/css/bootstrap-italia.min.css   the framework's stylesheet
//   bootstrap-italia/css/fonts.css                  @font-face rules for the fonts below
//   bootstrap-italia/fonts/<family>/…               Titillium Web, Lora, Roboto Mono
//   bootstrap-italia/svg/sprites.svg                the icon sprite
//   bootstrap-italia/js/bootstrap-italia.bundle.min.js
//   …                                               everything under web/static, as it is
//
// Bootstrap Italia 2 declares its fonts from a script (`loadFonts`) that writes an inline
// <style>, which our Content-Security-Policy refuses; fonts.css carries the same rules as a file,
// with URLs relative to itself (../fonts/…), so pages link it like any stylesheet.
//
// The stylesheet also embeds the icon font of its video player (Video.js) as a data: URL, which
// the browser loads with every page and the CSP (font-src 'self') refuses, an error in the
// console of every page. riuso shows no video, so that one @font-face rule is left out.
//
// Every text file (CSS, JavaScript, SVG, …) gets a brotli (.br, quality 11) and a gzip (.gz,
// level 9) copy beside it, kept only when smaller; the server sends the one the browser accepts
// as it is (ServeDir's precompressed files), so no asset is compressed at request time.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const framework = join(web, 'node_modules', 'bootstrap-italia', 'dist');
const dist = join(web, 'dist');
const staging = join(web, 'dist.new');

function need(path) {
  if (!existsSync(path)) {
    console.error(`assets: ${path} is missing; run \`npm ci\` in web/ (make assets does)`);
    process.exit(1);
  }
  return path;
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(need(from), to, { recursive: true });
}

// The rules `loadFonts` would inject, taken from the package itself so they follow its version.
function fontsCss() {
  const loader = readFileSync(need(join(framework, 'plugins', 'fonts-loader.js')), 'utf8');
  const match = loader.match(/innerHTML\s*=\s*`([\s\S]*?)`/);
  if (!match || !match[1].includes('${__PUBLIC_PATH__}')) {
    console.error('assets: the font rules of bootstrap-italia were not found in plugins/fonts-loader.js');
    process.exit(1);
  }
  const version = JSON.parse(readFileSync(join(web, 'node_modules', 'bootstrap-italia', 'package.json'), 'utf8')).version;
  const rules = match[1].replaceAll('${__PUBLIC_PATH__}', '../fonts').trim();
  return `/* Fonts of bootstrap-italia ${version}, from its loadFonts(); URLs relative to this file. */\n${rules}\n`;
}

const TEXT = new Set(['.css', '.js', '.mjs', '.svg', '.json', '.txt', '.html', '.map', '.ttf', '.otf', '.eot']);

// Writes the .br and .gz copies of every text file under dir; returns how many were written.
function precompress(dir) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      n += precompress(path);
      continue;
    }
    if (!TEXT.has(extname(path).toLowerCase())) continue;
    const raw = readFileSync(path);
    const copies = [
      ['.br', brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } })],
      ['.gz', gzipSync(raw, { level: 9 })],
    ];
    for (const [suffix, packed] of copies) {
      if (packed.length < raw.length) {
        writeFileSync(path + suffix, packed);
        n += 1;
      }
    }
  }
  return n;
}

function countFiles(dir) {
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    n += statSync(path).isDirectory() ? countFiles(path) : 1;
  }
  return n;
}

rmSync(staging, { recursive: true, force: true });
const out = join(staging, 'bootstrap-italia');
mkdirSync(join(out, 'css'), { recursive: true });
const css = readFileSync(need(join(framework, 'css', 'bootstrap-italia.min.css')), 'utf8');
writeFileSync(join(out, 'css', 'bootstrap-italia.min.css'), css.replace(/@font-face\{font-family:VideoJS;[^}]*\}/g, ''));
writeFileSync(join(out, 'css', 'fonts.css'), fontsCss());
copy(join(framework, 'fonts'), join(out, 'fonts'));
copy(join(framework, 'svg', 'sprites.svg'), join(out, 'svg', 'sprites.svg'));
copy(join(framework, 'js', 'bootstrap-italia.bundle.min.js'), join(out, 'js', 'bootstrap-italia.bundle.min.js'));

const ours = join(web, 'static');
if (existsSync(ours)) {
  cpSync(ours, staging, { recursive: true });
} else {
  console.warn('assets: web/static is missing; only the framework files are in web/dist');
}

const packed = precompress(staging);

// Swap in the new tree at once, so a running server never serves half of it for long.
rmSync(dist, { recursive: true, force: true });
renameSync(staging, dist);
console.log(`assets: web/dist assembled (${countFiles(dist)} files, ${packed} of them precompressed copies)`);
