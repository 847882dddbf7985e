#!/usr/bin/env node
// Node's `ws` as a third-party client for socketlet's integration tests (NodeWsIT.java).
// Like browsers, ws sends the upgrade GET without Content-Length.
//
//   node ws-client.js echo         URL [--no-deflate]   text and binary of every size, up to 16 MiB
//   node ws-client.js fragments    URL                  messages sent with fin:false pieces
//   node ws-client.js close        URL CODE REASON      client closes; expects its code echoed
//   node ws-client.js server-close URL CODE REASON      asks the /command endpoint to close; expects CODE/REASON
//
// Prints one line per check ("ok ..."), then "PASS" and exits 0; on the first failure prints
// "FAIL: ..." and exits 1. A watchdog ends the run with exit 2 after 60 s.
'use strict';

const WebSocket = require('ws');

const [mode, url, ...rest] = process.argv.slice(2);
const noDeflate = rest.includes('--no-deflate');

setTimeout(() => {
  console.log('FAIL: watchdog: no result within 60 s');
  process.exit(2);
}, 60000).unref();

function fail(message) {
  console.log('FAIL: ' + message);
  process.exit(1);
}

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: !noDeflate, handshakeTimeout: 10000 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (req, res) => reject(new Error('unexpected response ' + res.statusCode)));
    ws.once('error', reject);
  });
}

// Queue of incoming messages, so a test can await "the next message".
function inbox(ws) {
  const queue = [];
  const waiting = [];
  let closed = null;
  ws.on('message', (data, isBinary) => {
    const item = { data, isBinary };
    if (waiting.length) waiting.shift().resolve(item); else queue.push(item);
  });
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    while (waiting.length) waiting.shift().reject(new Error('closed with ' + code + ' ' + reason));
  });
  ws.on('error', (err) => {
    while (waiting.length) waiting.shift().reject(err);
  });
  return {
    next() {
      if (queue.length) return Promise.resolve(queue.shift());
      if (closed) return Promise.reject(new Error('closed with ' + closed.code + ' ' + closed.reason));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

function closeEvent(ws) {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function pattern(size, seed) {
  const buf = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    buf[i] = x & 0xff;
  }
  return buf;
}

function asciiText(size) {
  const buf = pattern(size, size + 7);
  for (let i = 0; i < size; i++) buf[i] = 0x20 + (buf[i] % 0x5f);
  return buf.toString('latin1');
}

async function echo() {
  const sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];
  const ws = await open();
  const box = inbox(ws);
  console.log('ok open extensions=' + JSON.stringify(ws.extensions) + ' protocol=' + JSON.stringify(ws.protocol));
  for (const size of sizes) {
    const text = asciiText(size);
    ws.send(text);
    const got = await box.next();
    if (got.isBinary) fail('text ' + size + ': echoed as binary');
    const echoed = got.data.toString('utf8');
    if (echoed.length !== text.length) fail('text ' + size + ': echoed ' + echoed.length + ' chars');
    if (echoed !== text) fail('text ' + size + ': content differs');
    console.log('ok text ' + size);

    const data = pattern(size, size + 1);
    ws.send(data);
    const gotBin = await box.next();
    if (!gotBin.isBinary) fail('binary ' + size + ': echoed as text');
    if (!Buffer.from(gotBin.data).equals(data)) fail('binary ' + size + ': echoed ' + gotBin.data.length + ' bytes, content differs or length');
    console.log('ok binary ' + size);
  }
  const unicode = 'a\u00e9\u20ac\u{1F600} κόσμε '.repeat(3000);
  ws.send(unicode);
  const u = await box.next();
  if (u.data.toString('utf8') !== unicode) fail('multi-byte text differs');
  console.log('ok unicode ' + Buffer.byteLength(unicode));
  const closed = closeEvent(ws);
  ws.close(1000, 'done');
  const c = await closed;
  if (c.code !== 1000) fail('close code ' + c.code);
  console.log('ok close 1000');
}

async function fragments() {
  const ws = await open();
  const box = inbox(ws);
  ws.send('Hel', { fin: false });
  ws.send('lo, ', { fin: false });
  ws.send('', { fin: false });
  ws.send('w\u00f6rld \u{1F600}', { fin: true });
  const t = await box.next();
  if (t.isBinary || t.data.toString('utf8') !== 'Hello, w\u00f6rld \u{1F600}') fail('fragmented text: got ' + JSON.stringify(t.data.toString()));
  console.log('ok fragmented text');

  const parts = [pattern(70000, 1), pattern(3, 2), pattern(1 << 20, 3)];
  parts.forEach((p, i) => ws.send(p, { binary: true, fin: i === parts.length - 1 }));
  const b = await box.next();
  if (!b.isBinary || !Buffer.from(b.data).equals(Buffer.concat(parts))) fail('fragmented binary differs (' + b.data.length + ' bytes)');
  console.log('ok fragmented binary');

  // 16 MiB in 32 fragments of 512 KiB, each under the default 1 MiB frame limit.
  const big = pattern(16 << 20, 16);
  for (let off = 0; off < big.length; off += 512 << 10) {
    ws.send(big.subarray(off, off + (512 << 10)), { binary: true, fin: off + (512 << 10) >= big.length });
  }
  const g = await box.next();
  if (!Buffer.from(g.data).equals(big)) fail('16 MiB fragmented binary differs (' + g.data.length + ' bytes)');
  console.log('ok fragmented 16MiB');
  const closed = closeEvent(ws);
  ws.close(1000);
  await closed;
}

async function clientClose(code, reason) {
  const ws = await open();
  const box = inbox(ws);
  ws.send('hi');
  await box.next();
  const closed = closeEvent(ws);
  ws.close(code, reason);
  const c = await closed;
  if (c.code !== code) fail('server answered close ' + code + ' with ' + c.code);
  console.log('ok close ' + c.code + ' ' + JSON.stringify(c.reason));
}

async function serverClose(code, reason) {
  const ws = await open();
  const closed = closeEvent(ws);
  ws.send('close ' + code + ' ' + reason);
  const c = await closed;
  if (c.code !== code) fail('expected close ' + code + ', got ' + c.code);
  if (c.reason !== reason) fail('expected reason ' + JSON.stringify(reason) + ', got ' + JSON.stringify(c.reason));
  console.log('ok server-close ' + c.code + ' ' + JSON.stringify(c.reason));
}

async function main() {
  switch (mode) {
    case 'echo': await echo(); break;
    case 'fragments': await fragments(); break;
    case 'close': await clientClose(Number(rest[0]), rest[1] || ''); break;
    case 'server-close': await serverClose(Number(rest[0]), rest[1] || ''); break;
    default: fail('unknown mode ' + mode);
  }
  console.log('PASS');
  process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
