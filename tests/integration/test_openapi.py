"""docs/api/openapi.yaml documents exactly the routes of src/server/routes.c, with the same
methods and permissions. No YAML library: the paths section is read with line rules
(two-space path keys, four-space method keys, six-space x-permission)."""

import os
import re

ROUTE = re.compile(r'\{\s*"(GET|POST|PUT|DELETE|PATCH)"\s*,\s*V\s*"([^"]+)"\s*,\s*(PGD_PERM_\w+)')
PERM = {
    "PGD_PERM_PUBLIC": "public", "PGD_PERM_SIGNED_IN": "signed_in", "PGD_PERM_REGISTRY_READ": "registry.read",
    "PGD_PERM_UNITS_WRITE": "units.write", "PGD_PERM_RECORDS_WRITE": "records.write",
    "PGD_PERM_FILINGS_WRITE": "filings.write", "PGD_PERM_CUSTODY": "custody", "PGD_PERM_IMPORT": "import",
    "PGD_PERM_USERS_MANAGE": "users.manage", "PGD_PERM_ROLES_ASSIGN": "roles.assign",
    "PGD_PERM_AUDIT_READ": "audit.read", "PGD_PERM_USERS_READ": "users.read",
    "PGD_PERM_PATROL_READ": "patrol.read", "PGD_PERM_PATROL_RUN": "patrol.run",
    "PGD_PERM_PATROL_HANDLE": "patrol.handle", "PGD_PERM_WORKERS_MANAGE": "workers.manage",
    "PGD_PERM_WORKER": "worker",
}


def routes_c(root):
    with open(os.path.join(root, "src/server/routes.c"), encoding="utf-8") as f:
        text = f.read()
    return {(m.group(1), "/api/v1" + m.group(2)): PERM.get(m.group(3), m.group(3)) for m in ROUTE.finditer(text)}


def openapi_ops(root):
    """{(METHOD, "/api/v1" + path): x-permission or None}, plus the list of duplicate keys."""
    ops, dups = {}, []
    path = method = None
    in_paths = False
    with open(os.path.join(root, "docs/api/openapi.yaml"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.match(r"^\S", line):
                in_paths = line.startswith("paths:")
                path = method = None
                continue
            if not in_paths:
                continue
            m = re.match(r"^  (/\S*):\s*$", line)
            if m:
                path, method = m.group(1), None
                continue
            m = re.match(r"^    (get|put|post|delete|patch):\s*$", line)
            if m and path:
                method = m.group(1).upper()
                key = (method, "/api/v1" + path)
                if key in ops:
                    dups.append(key)
                ops[key] = None
                continue
            m = re.match(r"^      x-permission:\s*(\S+)\s*$", line)
            if m and path and method:
                ops[(method, "/api/v1" + path)] = m.group(1)
    return ops, dups


def test_every_route_documented(ctx):
    ck = ctx.check
    routes = routes_c(ctx.root)
    ops, dups = openapi_ops(ctx.root)
    ck.ok(len(routes) >= 44, "routes.c parsed: %d routes" % len(routes))
    ck.ok(not dups, "no operation documented twice: %r" % dups)
    for key in sorted(routes):
        ck.ok(key in ops, "openapi.yaml documents %s %s" % key)
        if key in ops:
            ck.ok(ops[key] == routes[key], "%s %s: x-permission %r, routes.c says %r" % (key + (ops[key], routes[key])))
    for key in sorted(ops):
        ck.ok(key in routes, "openapi.yaml documents %s %s, which routes.c does not have" % key)


test_every_route_documented.needs_server = False


def test_refs_resolve(ctx):
    """Every $ref names a component that the document defines."""
    ck = ctx.check
    with open(os.path.join(ctx.root, "docs/api/openapi.yaml"), encoding="utf-8") as f:
        text = f.read()
    defined = set()
    section = None
    for line in text.splitlines():
        m = re.match(r"^  (schemas|responses|parameters|securitySchemes):\s*$", line)
        if m:
            section = m.group(1)
            continue
        if re.match(r"^  \S", line) or re.match(r"^\S", line):
            section = None
        m = re.match(r"^    ([A-Za-z_][\w]*):\s*$", line)
        if m and section:
            defined.add("#/components/%s/%s" % (section, m.group(1)))
    refs = set(re.findall(r'\$ref:\s*"([^"]+)"', text))
    ck.ok(len(refs) > 20, "refs found: %d" % len(refs))
    for ref in sorted(refs):
        ck.ok(ref in defined, "$ref %s is defined" % ref)


test_refs_resolve.needs_server = False
