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
//   runtime's flags and its own, as on Lambda, and not this file.
"use strict";
const Module = require("module");

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
