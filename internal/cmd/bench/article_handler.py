"""The AWS article's pre sign-up handler, timed at the same JSON boundary as
the Go handler: json.loads, the handler, json.dumps, on the same bytes.

Usage: python3 article_handler.py FIXTURE.json ...
Prints one JSON object: {fixture path: nanoseconds per invocation}.
"""
import json
import os
import sys
import timeit

# The handler itself, as the article prints it, is the gate's copy.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'testdata', 'impls', 'article-python'))
from lambda_function import lambda_handler  # noqa: E402


def main(paths):
    out = {}
    for path in paths:
        with open(path, 'rb') as f:
            data = f.read()
        timer = timeit.Timer(lambda: json.dumps(lambda_handler(json.loads(data), None)))
        number, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=number))
        out[path] = best / number * 1e9
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
