#!/usr/bin/env node
// Node's `ws` with permessage-deflate against socketlet (DeflateInteropIT.java).
//
//   node deflate-client.js echo  URL [options]   compressed echo of text and binary, every size, random and compressible
//   node deflate-client.js bomb  URL BYTES       sends BYTES of zeros compressed (a deflate bomb); expects close 1009
//   node deflate-client.js empty URL             "", "Hello", "", "Hello" and a long message, each echoed intact
//
// Options (echo): --client-nct / --server-nct   offer client_/server_no_context_takeover
//                 --server-bits=N / --client-bits=N   offer server_/client_max_window_bits=N
//                 --sizes=a,b,c                  sizes to echo (default 0,1,255,256,257,1000,65536,1048576,16777216)
//                 --expect-none                  the server must decline: no extension, messages still echo
//
// The client compresses every message it sends (threshold 0). Prints "negotiated <Sec-WebSocket-Extensions or none>",
// one line per check ("ok ..."), then "PASS" and exits 0; on the first failure prints "FAIL: ..." and exits 1.
// A watchdog ends the run with exit 2 after 100 s.
'use strict';

const WebSocket = require('ws');

const [mode, url, ...rest] = process.argv.slice(2);
const flag = (name) => rest.includes(name);
const option = (name) => {
  const arg = rest.find((a) => a.startsWith(name + '='));
  return arg === undefined ? undefined : arg.slice(name.length + 1);
};

setTimeout(() => {
  console.log('FAIL: watchdog: no result within 100 s');
  process.exit(2);
}, 100000).unref();

function fail(message) {
  console.log('FAIL: ' + message);
  process.exit(1);
}

function open(deflateOptions) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflateOptions, handshakeTimeout: 10000, maxPayload: 64 << 20 });
    let header = null;
    ws.once('upgrade', (res) => { header = res.headers['sec-websocket-extensions'] || null; });
    ws.once('open', () => resolve({ ws, header }));
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

function random(size, seed) {
  const buf = Buffer.allocUnsafe(size);
  let x = (seed >>> 0) || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    buf[i] = x & 0xff;
  }
  return buf;
}

const PHRASE = Buffer.from('socketlet echoes compressed chat and canvas traffic; ');

function compressible(size) {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += PHRASE.length) PHRASE.copy(buf, i, 0, Math.min(PHRASE.length, size - i));
  return buf;
}

// Random printable ASCII with some two-byte characters: valid UTF-8 of exactly `size` bytes, hard to compress.
function randomText(size, seed) {
  const buf = random(size, seed);
  let i = 0;
  while (i < size) {
    if (size - i >= 2 && (buf[i] & 7) === 0) { buf[i] = 0xc3; buf[i + 1] = 0xa9; i += 2; } // é
    else { buf[i] = 0x20 + (buf[i] % 0x5f); i++; }
  }
  return buf.toString('utf8');
}

function deflateOptions() {
  const o = { threshold: 0, clientNoContextTakeover: flag('--client-nct'), serverNoContextTakeover: flag('--server-nct') };
  if (option('--server-bits')) o.serverMaxWindowBits = Number(option('--server-bits'));
  if (option('--client-bits')) o.clientMaxWindowBits = Number(option('--client-bits'));
  return o;
}

async function echo() {
  const sizes = (option('--sizes') || '0,1,255,256,257,1000,65536,1048576,16777216').split(',').map(Number);
  const { ws, header } = await open(deflateOptions());
  console.log('negotiated ' + (header === null ? 'none' : header));
  const agreed = ws.extensions; // what ws itself accepted, as a string
  if (flag('--expect-none') ? header !== null : !/permessage-deflate/.test(agreed)) {
    fail('unexpected negotiation: header ' + header + ', ws.extensions ' + JSON.stringify(agreed));
  }
  const box = inbox(ws);
  const socket = ws._socket;
  for (const size of sizes) {
    for (const kind of ['random', 'compressible']) {
      const textIn = kind === 'random' ? randomText(size, size + 3) : compressible(size).toString('latin1');
      const binIn = kind === 'random' ? random(size, size + 5) : compressible(size);
      for (const [type, data] of [['text', textIn], ['binary', binIn]]) {
        const read0 = socket.bytesRead;
        const written0 = socket.bytesWritten;
        ws.send(data, { binary: type === 'binary' });
        const got = await box.next();
        const wireIn = socket.bytesRead - read0;
        const wireOut = socket.bytesWritten - written0;
        if (got.isBinary !== (type === 'binary')) fail(type + ' ' + kind + ' ' + size + ': echoed as ' + (got.isBinary ? 'binary' : 'text'));
        const same = type === 'text' ? got.data.toString('utf8') === data : Buffer.from(got.data).equals(data);
        if (!same) fail(type + ' ' + kind + ' ' + size + ': echoed ' + got.data.length + ' bytes that differ');
        // Compressed both ways: a compressible message crosses the wire in a fraction of its size.
        if (!flag('--expect-none') && kind === 'compressible' && size >= 1000 && (wireIn > size / 2 || wireOut > size / 2)) {
          fail(type + ' ' + kind + ' ' + size + ': not compressed (sent ' + wireOut + ' bytes, received ' + wireIn + ')');
        }
        console.log('ok ' + type + ' ' + kind + ' ' + size + ' sent=' + wireOut + ' received=' + wireIn);
      }
    }
  }
  const closed = closeEvent(ws);
  ws.close(1000, 'done');
  const c = await closed;
  if (c.code !== 1000) fail('close code ' + c.code);
  console.log('ok close 1000');
}

async function bomb(bytes) {
  const { ws, header } = await open({ threshold: 0 });
  console.log('negotiated ' + (header === null ? 'none' : header));
  const box = inbox(ws);
  const closed = closeEvent(ws);
  ws.send('warm-up');
  const w = await box.next();
  if (w.data.toString() !== 'warm-up') fail('warm-up echo differs');
  const written0 = ws._socket.bytesWritten;
  ws.send(Buffer.alloc(bytes), { binary: true }); // zeros: about 1/1000 of their size once compressed
  const c = await closed;
  console.log('bomb of ' + bytes + ' bytes went out as ' + (ws._socket.bytesWritten - written0) + ' bytes on the wire');
  if (c.code !== 1009) fail('expected close 1009, got ' + c.code + ' ' + JSON.stringify(c.reason));
  console.log('ok bomb close ' + c.code + ' ' + JSON.stringify(c.reason));
}

async function empty() {
  const { ws, header } = await open({ threshold: 0 });
  console.log('negotiated ' + (header === null ? 'none' : header));
  const box = inbox(ws);
  const long = compressible(4000).toString('latin1');
  for (const text of ['Hello', '', 'Hello', '', '', long, 'Hello']) {
    ws.send(text);
    const got = await box.next();
    if (got.data.toString('utf8') !== text) {
      fail('sent ' + JSON.stringify(text.slice(0, 20)) + ' (' + text.length + ' chars), echoed '
        + JSON.stringify(got.data.toString('utf8').slice(0, 20)) + ' (' + got.data.length + ' bytes)');
    }
    console.log('ok echo ' + text.length);
  }
  const closed = closeEvent(ws);
  ws.close(1000);
  const c = await closed;
  if (c.code !== 1000) fail('close code ' + c.code);
}

async function main() {
  switch (mode) {
    case 'echo': await echo(); break;
    case 'bomb': await bomb(Number(rest[0])); break;
    case 'empty': await empty(); break;
    default: fail('unknown mode ' + mode);
  }
  console.log('PASS');
  process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
