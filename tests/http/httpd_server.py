"""Starting the server under test and reading what it prints (the
launcher behind the `httpd` fixture of conftest.py, which says how tests
use it)."""

import os
import re
import resource
import signal
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BINARY = os.path.join(ROOT, "build", "host", "httpd-asan")
PLAIN_BINARY = os.path.join(ROOT, "build", "host", "httpd")
FAULT_SHIM = os.path.join(ROOT, "build", "host", "httpd-fault.so")
START = re.compile(r"^httpd: listening on port (\d+) \(root (.*)\)$", re.M)
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error: |SUMMARY: \w+Sanitizer")
START_TIMEOUT = 10
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def make_tree(root, tree):
    os.makedirs(root, exist_ok=True)
    for rel, data in (tree or {}).items():
        path = os.path.join(root, rel)
        if data is None:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def serving(launcher, scratch, problem):
    """The body of an httpd fixture: yields start(tree, args, root,
    **launch), which writes the tree (when given) into a fresh directory
    under scratch and starts a server there with launcher; afterwards stops
    every server and fails the test with what problem(server, died, status,
    output) says of each (None: nothing)."""
    servers = []

    def start(tree=None, args=(), root=None, **launch):
        root = root or os.path.join(scratch, f"www{len(servers) + 1}")
        if tree is not None:
            make_tree(root, tree)
        server = launcher.start(root, args, **launch)
        servers.append(server)
        return server

    yield start
    problems = []
    for s in servers:
        died = not s.alive()
        status, out = s.stop()
        why = problem(s, died, status, out)
        if why:
            problems.append(why)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


class Server:
    def __init__(self, proc, log_path, root, host, port):
        self.proc, self.log_path, self.root = proc, log_path, root
        self.expect_exit = False     # a test that lets it exit by itself sets this
        self.host, self.port = host, port
        bracketed = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{bracketed}:{port}"

    def output(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def wait_output(self, regex, timeout=5.0, after=0):
        """The first match of regex in the output from offset `after`."""
        pattern = re.compile(regex, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.output(), after)
            if m:
                return m
            if time.monotonic() > deadline:
                pytest.fail(f"no line matching {regex!r} within {timeout} s; output:\n"
                            + self.output()[-3000:], pytrace=False)
            time.sleep(0.05)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, self.output()


class HostLauncher:
    """Runs the host build on 127.0.0.1 (or the --bind given)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.count = 0

    def start(self, root, args, binary=BINARY, env=None, nofile=None, default_address=False):
        """Starts `binary` (the sanitizer build unless told) with more
        environment `env`, RLIMIT_NOFILE `nofile` when given, and without
        --bind when `default_address` (all addresses; reached on 127.0.0.1)."""
        if not os.access(binary, os.X_OK):
            pytest.fail(f"{binary} is not built (make host-httpd)", pytrace=False)
        self.count += 1
        log_path = os.path.join(self.workdir, f"httpd-{self.count}.log")
        args = list(args)
        host = "127.0.0.1"
        if "--bind" in args:
            host = args[args.index("--bind") + 1]
            host = {"::": "::1", "0.0.0.0": "127.0.0.1"}.get(host, host)
        elif not default_address:
            args += ["--bind", host]
        if "--port" not in args:
            args += ["--port", "0"]
        cmd = [binary, "--root", root] + args

        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    env=dict(os.environ, **SANITIZER_ENV, **(env or {})),
                                    preexec_fn=limit)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with open(log_path, "r", errors="replace") as f:
                text = f.read()
            m = START.search(text)
            if m:
                return Server(proc, log_path, root, host, int(m.group(1)))
            if proc.poll() is not None or time.monotonic() > deadline:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                pytest.fail(f"httpd did not start ({' '.join(cmd)}), status "
                            f"{proc.returncode}:\n{text}", pytrace=False)
            time.sleep(0.02)
