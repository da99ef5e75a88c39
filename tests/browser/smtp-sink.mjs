// A real SMTP server on loopback for the browser tests: it accepts every message (EHLO/HELO,
// MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and writes each one to MAIL_DIR as
// <n>.eml, with the envelope recipients on an `X-Sink-To:` first line, for run.mjs to read.
//
// Environment: SMTP_PORT (default 18025), MAIL_DIR (created if missing).

import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PORT = Number(process.env.SMTP_PORT ?? 18025);
const DIR = process.env.MAIL_DIR ?? 'target/browser-mail';
mkdirSync(DIR, { recursive: true });
let count = 0;

const server = createServer((socket) => {
  socket.setEncoding('latin1');
  let buffer = '';
  let data = null;
  let to = [];
  const reply = (line) => socket.write(`${line}\r\n`);
  reply('220 riuso-test-sink ESMTP');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (data !== null) {
        if (line === '.') {
          count += 1;
          writeFileSync(join(DIR, `${String(count).padStart(4, '0')}.eml`), `X-Sink-To: ${to.join(', ')}\r\n${data.join('\r\n')}\r\n`, 'latin1');
          data = null;
          to = [];
          reply('250 stored');
        } else {
          data.push(line.startsWith('..') ? line.slice(1) : line);
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') reply('250 riuso-test-sink');
      else if (verb === 'MAIL' || verb === 'RSET' || verb === 'NOOP') { if (verb === 'RSET') to = []; reply('250 ok'); }
      else if (verb === 'RCPT') { to.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1')); reply('250 ok'); }
      else if (verb === 'DATA') { data = []; reply('354 go ahead'); }
      else if (verb === 'QUIT') { reply('221 bye'); socket.end(); }
      else reply('502 not implemented');
    }
  });
  socket.on('error', () => {});
});
server.listen(PORT, '127.0.0.1', () => console.log(`smtp sink on 127.0.0.1:${PORT}, mail in ${DIR}`));
