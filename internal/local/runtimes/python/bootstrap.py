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
import decimal
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


def error_body(exc, error_type=None, message=None):
    return json.dumps({
        "errorMessage": str(exc) if message is None else message,
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }).encode()


class Fault(Exception):
    """An error Lambda's Python runtime reports with a Runtime.* type."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class Encoder(json.JSONEncoder):
    """Marshals an answer as Lambda's Python runtime does: a Decimal (which
    boto3's DynamoDB types give) as a JSON number."""

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return float(o)
        return super().default(o)


def marshal(result):
    # Lambda's runtimes from python3.12 write non-ASCII text as it is.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    new = env.startswith("AWS_Lambda_python3.") and env[len("AWS_Lambda_python3."):].isdigit() and int(env[len("AWS_Lambda_python3."):]) >= 12
    return json.dumps(result, cls=Encoder, ensure_ascii=not new).encode()


class CognitoIdentity:
    cognito_identity_id = None
    cognito_identity_pool_id = None


class Context:
    """Lambda's context object, as its Python runtime makes it for a call
    that no mobile client made: no client context, an empty identity."""

    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = CognitoIdentity()
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load(name):
    """Imports the handler as Lambda's Python runtime does, with its error
    types: a handler that is missing fails each invocation, not the init."""
    try:
        module, function = name.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (name, exc))
    try:
        mod = importlib.import_module(module.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module, exc))
    except SyntaxError as exc:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module, exc))
    handler = getattr(mod, function, None)
    if handler is None:
        missing = Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function, module))

        def handler(event, context):
            raise missing
    return handler


def error_of(exc):
    if isinstance(exc, Fault):
        # As Lambda's runtime reports its own faults: with no stack trace.
        return json.dumps({"errorMessage": str(exc), "errorType": exc.error_type, "stackTrace": []}).encode()
    return error_body(exc)


def endpoint_preload():
    """Points botocore older than 1.31 (boto3 before 1.28, Debian's among
    them), which ignores AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, at
    those endpoints, as newer ones do by themselves, so that its calls stay on
    this machine. A client given an endpoint_url keeps it."""
    if not any(k.startswith("AWS_ENDPOINT_URL") for k in os.environ):
        return
    try:
        import botocore
        import botocore.session
    except ImportError:
        return
    try:
        if tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 31):
            return
    except ValueError:
        return
    create_client = botocore.session.Session.create_client

    def with_endpoint(self, service_name, *args, **kwargs):
        # endpoint_url is create_client's fifth parameter after service_name.
        if kwargs.get("endpoint_url") is None and (len(args) < 5 or args[4] is None):
            url = None
            try:
                service_id = str(self.get_service_model(service_name).service_id)
                url = os.environ.get("AWS_ENDPOINT_URL_" + service_id.upper().replace(" ", "_").replace("-", "_"))
            except Exception:  # an unknown service: botocore will say so
                pass
            url = url or os.environ.get("AWS_ENDPOINT_URL")
            if url:
                if len(args) >= 5:
                    args = args[:4] + (url,) + args[5:]
                else:
                    kwargs["endpoint_url"] = url
        return create_client(self, service_name, *args, **kwargs)

    botocore.session.Session.create_client = with_endpoint


def sitecustomize():
    """Imports sitecustomize as Python's site module does at start, which
    -S (no host site-packages) skips: a layer's (an APM agent's) runs on
    Lambda."""
    try:
        import sitecustomize  # noqa: F401
    except ImportError as exc:
        if exc.name != "sitecustomize":
            sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n" % (type(exc).__name__, exc))
    except Exception as exc:
        sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n" % (type(exc).__name__, exc))


class Flushing:
    """A stream that flushes at each write, as Lambda's Python runtime makes
    the function's stdout and stderr: a line printed just before the
    process dies reaches the log."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        n = self._stream.write(text)
        self._stream.flush()
        return n

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout, sys.stderr = Flushing(sys.stdout), Flushing(sys.stderr)
    # The code comes first, as /var/task does on Lambda: a vendored boto3
    # wins over the runtime's, for the preload too. This script's own
    # directory, which Python put first, is the runtime's: it comes after
    # the layers, through PYTHONPATH, as /var/runtime does on Lambda.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    sys.path.insert(0, os.getcwd())
    sitecustomize()
    endpoint_preload()
    try:
        handler = load(argv[1])
    except Exception as exc:  # the runtime API wants to hear of it
        body = error_of(exc)
        sys.stderr.write(body.decode() + "\n")
        post("/init/error", body, json.loads(body)["errorType"])
        return 1
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as resp:
            request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline = int(resp.headers.get("Lambda-Runtime-Deadline-Ms") or 0)
            arn = resp.headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
            # Lambda's Python runtime sets it for each invocation.
            trace = resp.headers.get("Lambda-Runtime-Trace-Id")
            if trace:
                os.environ["_X_AMZN_TRACE_ID"] = trace
            else:
                os.environ.pop("_X_AMZN_TRACE_ID", None)
            payload = resp.read()
        try:
            result = handler(json.loads(payload), Context(request_id, deadline, arn))
        except Exception as exc:
            post("/invocation/%s/error" % request_id, error_of(exc), "Unhandled")
            continue
        try:
            body = marshal(result)
        except (TypeError, ValueError) as exc:
            body = error_body(exc, "Runtime.MarshalError", "Unable to marshal response: %s" % exc)
            post("/invocation/%s/error" % request_id, body, "Runtime.MarshalError")
            continue
        post("/invocation/%s/response" % request_id, body)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
