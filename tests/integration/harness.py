"""The integration harness: a spawned `pubguard serve` on 127.0.0.1:0 with a temporary
database, an HTTP client that keeps the session cookie and sends the CSRF header, and a
checker that counts expectations. Python 3 standard library only."""

import ctypes
import http.client
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

API = "/api/v1"
CJK = re.compile("[\u4e00-\u9fff]")
# Passwords that satisfy the default policy (min_length 10, 3 of 4 classes).
PASSWORD = "Fangzhou-2026-pw"
PASSWORD2 = "Xinmima-2027-pw"


def _die_with_parent():
    """In the child: get SIGTERM when the test runner dies (e.g. killed by a ctest timeout)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Failure(Exception):
    """A test function cannot go on (a setup request failed)."""


class Server:
    """pubguard serve on an OS-chosen port. The database and key stay in tmp across restarts."""

    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.db = os.path.join(tmp, "db")
        self.key = os.path.join(tmp, "key")
        self.port_file = os.path.join(tmp, "port")
        self.log_path = os.path.join(tmp, "server.log")
        self.proc = None
        self.port = None

    def start(self, timeout=30.0):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", "127.0.0.1:0",
             "--port-file", self.port_file, "--key", self.key, "--threads", "2"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure("pubguard serve exited with status %d (log: %s)"
                              % (self.proc.returncode, self.tail_log()))
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    st, body, _ = raw_request(self.port, "GET", API + "/health")
                    if st == 200:
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        self.stop()
        raise Failure("pubguard serve did not answer GET /api/v1/health with 200 within %.0f s (log: %s)"
                      % (timeout, self.tail_log()))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.proc = None

    def tail_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-600:].decode("utf-8", "replace")
        except OSError:
            return ""

    def cli(self, *args, stdin=None):
        """Run the pubguard binary; returns (exit status, stdout, stderr)."""
        p = subprocess.run([self.binary] + list(args), input=stdin, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def raw_request(port, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection. body: bytes or None. Returns (status, bytes, headers)
    where headers is a list of (name, value)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        try:
            conn.request(method, path, body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError):
            # the server answered (e.g. 413) and closed before the whole body was sent:
            # its answer is still in our receive buffer
            pass
        r = conn.getresponse()
        data = r.read()
        return r.status, data, r.getheaders()
    finally:
        conn.close()


class Response:
    def __init__(self, status, data, headers):
        self.status = status
        self.data = data
        self.headers = headers
        self._json = None
        self.json_error = None
        if data:
            try:
                self._json = json.loads(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                self.json_error = str(e)

    @property
    def json(self):
        return self._json

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return vals

    def error(self):
        """The {"error":{...}} object, or {} when the body is not one."""
        j = self._json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"]
        return {}

    def __repr__(self):
        text = self.data[:300].decode("utf-8", "replace") if self.data else ""
        return "HTTP %d %s" % (self.status, text)


class Client:
    """A browser-like client: keeps pgd_session, sends X-CSRF-Token on non-GET requests."""

    def __init__(self, server, name=""):
        self.server = server
        self.name = name
        self.session = None
        self.csrf = None
        self.user = None

    def request(self, method, path, body=None, raw=None, content_type=None, csrf=True,
                headers=None, query=None):
        h = {}
        data = None
        if raw is not None:
            data = raw
            h["Content-Type"] = content_type or "application/octet-stream"
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h["Content-Type"] = "application/json"
        if self.session:
            h["Cookie"] = "pgd_session=" + self.session
        if csrf and method != "GET" and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if headers:
            h.update(headers)
        if not path.startswith("/"):
            path = "/" + path
        full = API + path if not path.startswith(API) else path
        if query:
            full += "?" + urllib.parse.urlencode(query)
        st, resp, hdrs = raw_request(self.server.port, method, full, data, h)
        return Response(st, resp, hdrs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def login(self, username, password):
        r = self.request("POST", "/auth/login", {"username": username, "password": password}, csrf=False)
        if r.status == 200:
            for v in r.header("Set-Cookie"):
                m = re.match(r"\s*pgd_session=([^;]*)", v)
                if m:
                    self.session = m.group(1)
            j = r.json or {}
            self.csrf = j.get("csrf_token")
            self.user = j.get("user")
        return r

    def must(self, r, want, what):
        """Setup step: raise Failure unless r.status == want."""
        if r.status != want:
            raise Failure("%s (%s): want HTTP %d, got %r" % (what, self.name, want, r))
        return r.json


class Checker:
    """Counts expectations; every failure is printed with what was expected."""

    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.skipped = []
        self.verbose = verbose
        self.current = ""

    def ok(self, cond, what):
        if cond:
            self.passed += 1
            if self.verbose:
                print("  ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL [%s] %s" % (self.current, what), flush=True)
        return bool(cond)

    def status(self, r, want, what):
        """want: an int or a tuple of acceptable statuses."""
        wants = want if isinstance(want, tuple) else (want,)
        return self.ok(r.status in wants, "%s: want HTTP %s, got %r" % (what, "/".join(map(str, wants)), r))

    def error(self, r, status, code, what, field=Ellipsis):
        """An error answer: status, {"error":{"code","message","field"}}, a Chinese message."""
        good = self.status(r, status, what)
        e = r.error()
        good &= self.ok(e.get("code") == code, "%s: want error code %r, got %r" % (what, code, r))
        msg = e.get("message")
        good &= self.ok(isinstance(msg, str) and CJK.search(msg) is not None,
                        "%s: want a Chinese error message, got %r" % (what, msg))
        good &= self.ok("field" in e, "%s: error object has no 'field' key: %r" % (what, r))
        if field is not Ellipsis:
            good &= self.ok(e.get("field") == field, "%s: want field %r, got %r" % (what, field, e.get("field")))
        return good

    def skip(self, what):
        self.skipped.append(what)
        print("SKIP [%s] %s" % (self.current, what), flush=True)
