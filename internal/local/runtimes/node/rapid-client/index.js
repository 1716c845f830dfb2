'use strict';
// Written by autoconfirm-conformance local: a JavaScript stand-in for
// aws-lambda-ric's native rapid-client.node, so that hosting a Node.js
// handler needs no C++ toolchain. It keeps the addon's interface, which the
// ric's own JavaScript calls (src/native/rapid-client.cc in
// aws/aws-lambda-nodejs-runtime-interface-client):
//   next()                 -> Promise<{bodyJson, headers}>
//   done(id, body)         -> posts the answer, and returns once it is sent
//   error(id, body, xray)  -> posts the error, and returns once it is sent
// done and error block as the addon's do: the ric calls process.exit right
// after error() on an uncaught exception, and an answer posted afterwards
// would be lost. Node has no synchronous HTTP, so a worker thread posts
// while this thread waits on a shared flag.
const http = require('node:http');
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');

const api = process.env.AWS_LAMBDA_RUNTIME_API || '';
const colon = api.lastIndexOf(':');
const host = colon < 0 ? api : api.slice(0, colon);
const port = colon < 0 ? 80 : Number(api.slice(colon + 1));
const base = '/2018-06-01/runtime/invocation/';
const userAgent = 'aws-lambda-ric-js (autoconfirm)';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// The headers the addon passes on, by their lower-case names; the deadline
// as a number, as the addon gives it.
const passed = [
  'lambda-runtime-aws-request-id', 'lambda-runtime-trace-id', 'lambda-runtime-invoked-function-arn',
  'lambda-runtime-client-context', 'lambda-runtime-cognito-identity', 'lambda-runtime-aws-tenant-id',
];

function next() {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path: base + 'next', method: 'GET', agent, headers: { 'User-Agent': userAgent } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode < 200 || res.statusCode > 299) {
          return reject(new Error('Failed to get next invocation, error ' + res.statusCode));
        }
        if (!res.headers['lambda-runtime-aws-request-id']) {
          return reject(new Error('Failed to get next invocation, error -1'));
        }
        const headers = { 'lambda-runtime-deadline-ms': Number(res.headers['lambda-runtime-deadline-ms']) || 0 };
        for (const h of passed) {
          if (res.headers[h]) headers[h] = res.headers[h];
        }
        if (!headers['lambda-runtime-trace-id']) headers['lambda-runtime-trace-id'] = '';
        if (!headers['lambda-runtime-invoked-function-arn']) headers['lambda-runtime-invoked-function-arn'] = '';
        resolve({ bodyJson: Buffer.concat(chunks).toString('utf8'), headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// The worker's code: it posts what it is sent, and says when it is done.
const poster = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { flag, replies, host, port } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function reply(m) { replies.postMessage(m); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }
parentPort.on('message', ({ path, body, headers }) => {
  try {
    const req = http.request({ host, port, path, method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => reply({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reply({ error: String(e) }));
    });
    req.on('error', (e) => reply({ error: String(e) }));
    req.end(body);
  } catch (e) { reply({ error: String(e) }); }
});
`;

let worker;
let flag;
let replies;

function start() {
  flag = new Int32Array(new SharedArrayBuffer(4));
  const channel = new MessageChannel();
  replies = channel.port1;
  worker = new Worker(poster, {
    eval: true, workerData: { flag, replies: channel.port2, host, port }, transferList: [channel.port2],
  });
  worker.unref(); // the runtime's loop, not the worker, keeps the process alive
}

// The worker starts now, while the ric loads the handler, rather than on
// the first answer, which would wait about 0.2 s for it.
start();

// latin1 carries a header's UTF-8 bytes as they are, as curl sends them;
// the characters no header may hold are left out.
function headerValue(s) {
  return Buffer.from(String(s), 'utf8').toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

// post sends body to path and waits for the answer, as the addon's curl
// does. Like the addon, it does not throw when the Runtime API refuses: it
// logs why, and the ric goes on to the next invocation.
function post(path, body, headers) {
  const all = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': userAgent };
  for (const [k, v] of Object.entries(headers)) {
    if (v) all[k] = headerValue(v);
  }
  Atomics.store(flag, 0, 0);
  worker.postMessage({ path, body, headers: all });
  // A worker that never answers (it could not start) must not hang the
  // runtime past any function timeout Lambda allows.
  const waited = Atomics.wait(flag, 0, 0, 15 * 60 * 1000);
  const m = waited === 'timed-out' ? undefined : receiveMessageOnPort(replies);
  const r = m ? m.message : { error: 'no answer from the posting thread' };
  if (r.error || r.status < 200 || r.status > 299) {
    process.stderr.write(`[ERROR] rapid-client.js: posting to ${path} failed: ${r.error || 'HTTP ' + r.status + ' ' + r.body}\n`);
  }
  return null;
}

function done(id, body) {
  if (typeof id !== 'string' || typeof body !== 'string') throw new TypeError('Wrong arguments');
  return post(base + id + '/response', body, {});
}

// error also names the error's type in Lambda-Runtime-Function-Error-Type,
// as the Runtime API asks of a runtime that knows it.
function error(id, body, xray) {
  if (typeof id !== 'string' || typeof body !== 'string' || typeof xray !== 'string') throw new TypeError('Wrong arguments');
  let type = '';
  try {
    type = JSON.parse(body).errorType || '';
  } catch (e) {
    type = '';
  }
  return post(base + id + '/error', body, {
    'Lambda-Runtime-Function-Error-Type': type,
    'Lambda-Runtime-Function-XRay-Error-Cause': xray,
  });
}

module.exports = { next, done, error };
