#!/usr/bin/env python3
"""Run the HTTP integration tests against a spawned `pubguard serve`.

usage: run.py --bin PATH/TO/pubguard [--keep] [--verbose] [--only NAME]

The tests run in one order against one server and one test city: openapi (no server),
auth, registry, matrix, flows, import, audit (last: it stops the server to corrupt the log).
The last line is "N passed, N failed"; the exit status is 1 on any failure."""

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import Checker, Failure, Server  # noqa: E402
from city import City  # noqa: E402

MODULES = ["test_openapi", "test_auth", "test_registry", "test_matrix", "test_flows", "test_import",
           "test_audit", "test_approved", "test_patrol"]


class Context:
    def __init__(self, binary, tmp, check):
        self.binary = binary
        self.tmp = tmp
        self.check = check
        self.root = os.path.dirname(os.path.dirname(HERE))
        self.server = None
        self.city = None
        self.broken = None

    def ensure_server(self):
        if self.broken:
            raise Failure("no server or test city (%s)" % self.broken)
        if self.server is None:
            self.server = Server(self.binary, self.tmp)
            try:
                self.server.start()
                self.city = City(self.server, self.check)
                self.city.build()
            except Failure as e:
                self.broken = str(e)
                raise
        elif self.server.proc is None:
            self.server.start()
        return self.city


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", help="run only the functions whose name contains this")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    check = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="pgd-it-")
    ctx = Context(binary, tmp, check)
    try:
        for modname in MODULES:
            mod = importlib.import_module(modname)
            for name in [n for n in mod.__dict__ if n.startswith("test_") and callable(mod.__dict__[n])]:
                if args.only and args.only not in name and args.only not in modname:
                    continue
                check.current = "%s.%s" % (modname, name)
                if args.verbose:
                    print("== %s" % check.current, flush=True)
                try:
                    if getattr(mod.__dict__[name], "needs_server", True):
                        ctx.ensure_server()
                    mod.__dict__[name](ctx)
                except Failure as e:
                    check.ok(False, "setup failed: %s" % e)
                except Exception:
                    check.ok(False, "exception:\n" + traceback.format_exc())
    finally:
        if ctx.server is not None:
            ctx.server.stop()
        if args.keep or check.failed:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if check.skipped:
        print("%d skipped: %s" % (len(check.skipped), "; ".join(check.skipped)))
    print("%d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
