#!/usr/bin/env python3
"""A test double of a model server (vLLM-like), run as a real process by the
managed-server tests (tests/servers/, tests/evaluator/managed_run_test.cc).

Serves GET /health, GET /v1/models, GET /version and POST
/v1/chat/completions (a plain assistant reply, no tool call). Misbehaviours
on request: slow start-up, never ready, death mid-run, ignoring SIGTERM,
leaking a child process."""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--model", default="fake-model")
p.add_argument("--startup-delay", type=float, default=0.0)
p.add_argument("--never-ready", action="store_true")
p.add_argument("--die-on-request", type=int, default=0,
               help="exit(3) while handling the Nth chat request")
p.add_argument("--reply-delay", type=float, default=0.0)
p.add_argument("--hang-while", default="",
               help="chat requests wait (up to 60 s) while this file exists")
p.add_argument("--ignore-term", action="store_true")
p.add_argument("--leak-child", action="store_true")
p.add_argument("--pid-file", default="")
p.add_argument("--exit-at-once", type=int, default=-1)
args = p.parse_args()

if args.ignore_term:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
pids = [os.getpid()]
if args.leak_child:
    # A child in the server's process group that would outlive it.
    child = subprocess.Popen(["sleep", "300"])
    pids.append(child.pid)
if args.pid_file:
    with open(args.pid_file + ".tmp", "w") as f:
        f.write(" ".join(str(x) for x in pids) + "\n")
    os.rename(args.pid_file + ".tmp", args.pid_file)
print("fake server: loading weights for", args.model, flush=True)
if args.exit_at_once >= 0:
    print("fake server: fatal: cannot load the model", file=sys.stderr,
          flush=True)
    os._exit(args.exit_at_once)
started = time.monotonic()
lock = threading.Lock()
requests = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def ready(self):
        return (not args.never_ready and
                time.monotonic() - started >= args.startup_delay)

    def do_GET(self):
        if self.path == "/health":
            self.send(200 if self.ready() else 503, {})
        elif self.path == "/v1/models":
            if not self.ready():
                self.send(503, {"error": "loading"})
            else:
                self.send(200, {"object": "list", "data": [
                    {"id": args.model, "object": "model",
                     "owned_by": "fake", "max_model_len": 4096}]})
        elif self.path == "/version":
            self.send(200, {"version": "0.0.1-fake"})
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        with lock:
            requests[0] += 1
            nth = requests[0]
        if args.die_on_request and nth >= args.die_on_request:
            print("fake server: fatal: CUDA error: an illegal memory access",
                  file=sys.stderr, flush=True)
            time.sleep(0.2)
            os._exit(3)
        time.sleep(args.reply_delay)
        waited = 0.0
        while args.hang_while and os.path.exists(args.hang_while) and \
                waited < 60:
            time.sleep(0.1)
            waited += 0.1
        self.send(200, {
            "id": "c%d" % nth, "object": "chat.completion",
            "model": args.model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": "I am done."}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 4,
                      "total_tokens": 14}})


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
