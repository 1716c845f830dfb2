// Written by autoconfirm-conformance local, which starts Node.js with
// --require of this file. The AWS SDK for JavaScript v2 ignores
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>; the SDK v3, boto3 1.28+
// and aws-sdk-go-v2 read them. When a handler loads aws-sdk (v2), this points
// its global configuration at the same endpoints, so that its calls stay on
// this machine: AWS_ENDPOINT_URL for every service, and a service's own
// variable for that service. A client given an endpoint keeps it.
//
// It also does two things Lambda's own start does, which the emulator does
// not (rules §18):
// - it writes the function's stdout and stderr synchronously, as the
//   runtime client writes to Lambda's telemetry descriptor (fs.writeSync),
//   so that logs never queue in the function's memory (red team round 24);
// - it takes itself out of NODE_OPTIONS, so that the function sees the
//   runtime's flags and its own, as on Lambda, and not this file;
// - it lets `import` find a package in the folders of NODE_PATH, the
//   layers', as Lambda's Node.js 18 and later runtimes do ("The Node.js
//   18.x runtime for Lambda searches the folders listed in NODE_PATH when
//   loading ES modules", AWS Compute Blog, Node.js 18.x runtime); Node.js
//   itself reads NODE_PATH for `require` only (red team round 26).
"use strict";
const Module = require("module");
const { isMainThread } = require("worker_threads");

// The resolve hook runs in Node.js's hooks thread: it tries the import as
// Node.js resolves it, and a bare specifier that is not found again from
// each NODE_PATH folder, as if imported by a file beside it.
const nodePathHook = `
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
let folders = [];
export async function initialize(data) { folders = data.folders; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || /^([./]|[a-z][a-z0-9+.-]*:)/i.test(specifier)) {
      throw err;
    }
    for (const folder of folders) {
      try {
        return await next(specifier, { ...context, parentURL: pathToFileURL(join(dirname(folder), "index.mjs")).href });
      } catch {}
    }
    throw err;
  }
}
`;

if (isMainThread && process.env.NODE_PATH && typeof Module.register === "function") {
  const folders = process.env.NODE_PATH.split(":").filter((f) => f.endsWith("node_modules"));
  Module.register("data:text/javascript," + encodeURIComponent(nodePathHook), { data: { folders } });
}

for (const stream of [process.stdout, process.stderr]) {
  if (stream._handle && typeof stream._handle.setBlocking === "function") {
    stream._handle.setBlocking(true);
  }
}

if (typeof process.env.NODE_OPTIONS === "string") {
  const self = "--require " + __filename;
  const options = process.env.NODE_OPTIONS.replace(" " + self, "").replace(self, "").trim();
  if (options) {
    process.env.NODE_OPTIONS = options;
  } else {
    delete process.env.NODE_OPTIONS;
  }
}

// The v2 identifiers whose names do not follow from the variable's.
const identifiers = {
  COGNITO_IDENTITY_PROVIDER: "cognitoidentityserviceprovider",
  SFN: "stepfunctions",
  EVENTBRIDGE: "eventbridge",
  API_GATEWAY: "apigateway",
};

function configure(AWS) {
  if (!AWS || !AWS.config || AWS.config.__autoconfirmEndpoints) {
    return;
  }
  AWS.config.__autoconfirmEndpoints = true;
  if (process.env.AWS_ENDPOINT_URL) {
    AWS.config.update({ endpoint: process.env.AWS_ENDPOINT_URL });
  }
  for (const [key, url] of Object.entries(process.env)) {
    const m = /^AWS_ENDPOINT_URL_(.+)$/.exec(key);
    if (m && url) {
      const id = identifiers[m[1]] || m[1].toLowerCase().replace(/_/g, "");
      AWS.config[id] = Object.assign({}, AWS.config[id], { endpoint: url });
    }
  }
}

// The SDK's lib/node_loader.js, which every entry (aws-sdk, aws-sdk/clients/*)
// loads, builds AWS.config last (2.1693.0, line 204). It is compiled once,
// whether require or import loads it (the ESM loader compiles CommonJS through
// the same method): configure AWS.config as soon as it exists.
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  const result = compile.apply(this, arguments);
  if (typeof filename === "string" && /[\\/]aws-sdk[\\/]lib[\\/]node_loader\.js$/.test(filename)) {
    try {
      configure(this.exports);
    } catch (err) {
      // Not the SDK v2 this expects: leave it as it is.
    }
  }
  return result;
};
