"""A Lambda runtime-API client for Python handlers, on the standard library
alone, for `autoconfirm-conformance local --runtime python3.x`.

AWS's own client, awslambdaric, comes from PyPI. Where pip can reach PyPI,
use it instead (see the README); this adapter exists for machines that
cannot. It speaks the documented runtime API: it fetches each invocation,
calls the handler with the event and a context, and posts the result or the
error as Lambda's Python runtime shapes it ({"errorMessage", "errorType",
"stackTrace"}).

Usage: python3 bootstrap.py MODULE.FUNCTION   (run in the code directory)
"""
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

API = "http://" + os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001") + "/2018-06-01/runtime"


def post(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    req = urllib.request.Request(API + path, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req) as resp:
        resp.read()


def error_body(exc):
    return json.dumps({
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }).encode()


class Context:
    """The parts of Lambda's context object a handler commonly reads."""

    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load(name):
    module, _, function = name.rpartition(".")
    if not module or not function:
        raise ValueError("the handler %r is not MODULE.FUNCTION, e.g. lambda_function.lambda_handler" % name)
    sys.path.insert(0, os.getcwd())
    return getattr(importlib.import_module(module.replace("/", ".")), function)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    try:
        handler = load(argv[1])
    except Exception as exc:  # the runtime API wants to hear of it
        post("/init/error", error_body(exc), "Runtime.ImportModuleError")
        return 1
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as resp:
            request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline = int(resp.headers.get("Lambda-Runtime-Deadline-Ms") or 0)
            arn = resp.headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
            payload = resp.read()
        try:
            result = handler(json.loads(payload), Context(request_id, deadline, arn))
            body = json.dumps(result).encode()
        except Exception as exc:
            post("/invocation/%s/error" % request_id, error_body(exc), "Unhandled")
            continue
        post("/invocation/%s/response" % request_id, body)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
