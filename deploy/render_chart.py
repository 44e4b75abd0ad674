#!/usr/bin/env python3
"""Renders helm/worldcluster without helm, for deploy/validate.sh on machines that have no helm binary.

This is a small interpreter for the subset of Go templates and Sprig functions the chart uses (define/include,
if/else/with/range, variables, pipelines, toYaml/nindent/quote/default/...). It is NOT helm: it exists so that
indentation mistakes and bad references show up as unparsable or wrong YAML before the chart meets a real helm.
Where helm exists, deploy/validate.sh runs `helm lint` and `helm template` as well. Unknown functions are errors.

Usage: render_chart.py CHART_DIR [--set a.b=c ...] [--api-versions X] -> rendered YAML on stdout (NOTES.txt excluded).
"""
import base64
import copy
import os
import re
import sys

import yaml


class TemplateError(Exception):
    pass


# ---- parsing ---------------------------------------------------------------------------------------------------
ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


def lex(text):
    """Yields ('text', s) and ('action', s) with Go's {{- and -}} whitespace trimming applied."""
    out = []
    pos = 0
    for m in ACTION.finditer(text):
        t = text[pos:m.start()]
        if m.group(1):
            t = t.rstrip(" \t\r\n")
        out.append(["text", t])
        out.append(["action", m.group(2).strip(), bool(m.group(3))])
        pos = m.end()
    out.append(["text", text[pos:]])
    for i, tok in enumerate(out):
        if tok[0] == "action" and tok[2] and i + 1 < len(out):
            out[i + 1][1] = out[i + 1][1].lstrip(" \t\r\n")
    return [(t[0], t[1]) for t in out]


TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(:=|=|\||\(|\)|,)|(-?\d+(?:\.\d+)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(\.[A-Za-z0-9_.]*)|([A-Za-z_][A-Za-z0-9_]*))')


def tokenize(s):
    toks = []
    pos = 0
    s = s.strip()
    while pos < len(s):
        if s[pos:].strip() == "":
            break
        m = TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise TemplateError(f"cannot parse action near: {s[pos:]!r}")
        pos = m.end()
        if m.group(1):
            toks.append(("str", bytes(m.group(1)[1:-1], "utf-8").decode("unicode_escape")))
        elif m.group(2):
            toks.append(("str", m.group(2)[1:-1]))
        elif m.group(3):
            toks.append(("op", m.group(3)))
        elif m.group(4):
            n = m.group(4)
            toks.append(("num", float(n) if "." in n else int(n)))
        elif m.group(5):
            toks.append(("var", m.group(5)))
        elif m.group(6):
            toks.append(("field", m.group(6)))
        else:
            toks.append(("ident", m.group(7)))
    return toks


def parse_pipeline(toks):
    """Returns ('decl'|'assign'|None, [vars], [commands]); a command is a list of args; an arg is a token or ('sub', pipeline)."""
    kind, names = None, []
    for i, t in enumerate(toks):
        if t == ("op", ":=") or t == ("op", "="):
            kind = "decl" if t[1] == ":=" else "assign"
            names = [x[1] for x in toks[:i] if x[0] == "var"]
            toks = toks[i + 1:]
            break
    cmds, cur, i = [], [], 0
    while i < len(toks):
        t = toks[i]
        if t == ("op", "|"):
            cmds.append(cur)
            cur = []
        elif t == ("op", "("):
            depth, j = 1, i + 1
            while depth:
                if toks[j] == ("op", "("):
                    depth += 1
                elif toks[j] == ("op", ")"):
                    depth -= 1
                j += 1
            cur.append(("sub", parse_pipeline(toks[i + 1:j - 1])))
            i = j
            continue
        elif t == ("op", ","):
            pass
        else:
            cur.append(t)
        i += 1
    cmds.append(cur)
    return kind, names, cmds


def parse(tokens, defines):
    """Builds a node list; stops at end/else, which it returns to the caller."""
    def block(it):
        nodes = []
        for kind, s in it:
            if kind == "text":
                if s:
                    nodes.append(("text", s))
                continue
            if s.startswith("/*"):
                continue
            word = s.split(None, 1)[0] if s else ""
            rest = s[len(word):].strip()
            if word == "end":
                return nodes, "end"
            if word == "else":
                return nodes, "else"
            if word in ("if", "with", "range"):
                body, stop = block(it)
                other = []
                if stop == "else":
                    other, stop = block(it)
                nodes.append((word, parse_pipeline(tokenize(rest)), body, other))
            elif word == "define":
                name = tokenize(rest)[0][1]
                body, _ = block(it)
                defines[name] = body
            else:
                nodes.append(("action", parse_pipeline(tokenize(s))))
        return nodes, None
    nodes, stop = block(iter(tokens))
    if stop:
        raise TemplateError(f"unexpected {{{{{stop}}}}}")
    return nodes


# ---- evaluation ------------------------------------------------------------------------------------------------
class Capabilities:
    def __init__(self, api_versions):
        self.APIVersions = APIVersions(api_versions)
        self.KubeVersion = {"Version": "v1.32.0", "Major": "1", "Minor": "32"}


class APIVersions:
    def __init__(self, versions):
        self.versions = set(versions) | {"v1", "apps/v1", "policy/v1", "autoscaling/v2"}

    def Has(self, v):
        return v in self.versions


def empty(v):
    return v is None or v is False or v == 0 and not isinstance(v, bool) or v in ("", [], {})


def go_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return "map[...]" if isinstance(v, dict) else "[...]"
    return str(v)


def to_yaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n").removesuffix("\n...")


def deep_merge(dst, *srcs):
    for src in srcs:
        for k, v in (src or {}).items():
            if k not in dst:
                dst[k] = copy.deepcopy(v)
            elif isinstance(dst[k], dict) and isinstance(v, dict):
                deep_merge(dst[k], v)
    return dst


class Fail(Exception):
    pass


def do_fail(msg):
    raise Fail(msg)


def go_printf(fmt, *args):
    # Literal braces (PromQL label matchers) must survive str.format.
    escaped = fmt.replace("{", "{{").replace("}", "}}")
    return re.sub(r"%[sdvq]", "{}", escaped).format(*[go_str(a) for a in args])


def indent(n, s):
    return "\n".join((" " * int(n) + line) if line else line for line in go_str(s).split("\n"))


class Renderer:
    def __init__(self, defines, root):
        self.defines = defines
        self.root = root
        self.funcs = {
            "include": lambda name, dot: self.render_nodes(self.defines[name], dot, [{"$": dot}]),
            "toYaml": to_yaml, "nindent": lambda n, s: "\n" + indent(n, s), "indent": indent,
            "quote": lambda *a: " ".join('"' + go_str(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in a),
            "default": lambda d, v=None: d if empty(v) else v,
            "trunc": lambda n, s: s[:int(n)], "trimSuffix": lambda suf, s: s[:-len(suf)] if suf and s.endswith(suf) else s,
            "contains": lambda sub, s: sub in s, "printf": go_printf, "replace": lambda old, new, s: s.replace(old, new),
            "b64enc": lambda s: base64.b64encode(go_str(s).encode()).decode(),
            "ternary": lambda a, b, c: a if c else b, "int": lambda v: int(float(v or 0)),
            "toString": go_str, "le": lambda a, b: a <= b, "lt": lambda a, b: a < b, "ge": lambda a, b: a >= b,
            "gt": lambda a, b: a > b, "eq": lambda a, *b: any(a == x for x in b), "ne": lambda a, b: a != b,
            "not": lambda v: empty(v), "and": lambda *a: next((x for x in a if empty(x)), a[-1]),
            "or": lambda *a: next((x for x in a if not empty(x)), a[-1]),
            "merge": deep_merge, "deepCopy": copy.deepcopy, "concat": lambda *ls: [x for l in ls for x in (l or [])],
            "set": lambda d, k, v: (d.__setitem__(k, v), d)[1], "dict": lambda *kv: dict(zip(kv[::2], kv[1::2])),
            "list": lambda *a: list(a), "fail": do_fail, "upper": str.upper, "lower": str.lower,
        }

    def field(self, obj, path):
        for p in [p for p in path.split(".") if p]:
            if isinstance(obj, dict):
                obj = obj.get(p)
            elif obj is None:
                raise TemplateError(f"nil pointer evaluating .{p}")
            else:
                obj = getattr(obj, p)
        return obj

    def lookup_var(self, scopes, name):
        base, _, path = name.partition(".")
        for s in reversed(scopes):
            if base in s:
                return self.field(s[base], path)
        raise TemplateError(f"undefined variable {base}")

    def arg(self, a, dot, scopes):
        kind, v = a
        if kind == "sub":
            return self.pipeline(v, dot, scopes)
        if kind in ("str", "num"):
            return v
        if kind == "field":
            return dot if v == "." else self.field(dot, v)
        if kind == "var":
            return self.lookup_var(scopes, v)
        if kind == "ident":
            if v in ("true", "false"):
                return v == "true"
            if v == "nil":
                return None
            return self.call(v, [])
        raise TemplateError(f"bad argument {a}")

    def call(self, name, args):
        if name not in self.funcs:
            raise TemplateError(f"function {name!r} not supported by render_chart.py")
        return self.funcs[name](*args)

    def command(self, cmd, dot, scopes, piped=None, has_piped=False):
        head = cmd[0]
        extra = [piped] if has_piped else []
        if head[0] == "ident" and head[1] not in ("true", "false", "nil"):
            return self.call(head[1], [self.arg(a, dot, scopes) for a in cmd[1:]] + extra)
        v = self.arg(head, dot, scopes)
        if callable(v):
            return v(*([self.arg(a, dot, scopes) for a in cmd[1:]] + extra))
        if len(cmd) > 1 or has_piped:
            raise TemplateError(f"cannot give arguments to non-function {head}")
        return v

    def pipeline(self, p, dot, scopes):
        kind, names, cmds = p
        v, has = None, False
        for c in cmds:
            v, has = self.command(c, dot, scopes, v, has), True
        if kind == "decl":
            scopes[-1][names[0]] = v
            return ""
        if kind == "assign":
            for s in reversed(scopes):
                if names[0] in s:
                    s[names[0]] = v
                    return ""
            raise TemplateError(f"assignment to undeclared {names[0]}")
        return v

    def render_nodes(self, nodes, dot, scopes):
        out = []
        for n in nodes:
            kind = n[0]
            if kind == "text":
                out.append(n[1])
            elif kind == "action":
                v = self.pipeline(n[1], dot, scopes)
                if n[1][0] is None:
                    out.append(go_str(v))
            elif kind == "if":
                cond = self.pipeline(n[1], dot, scopes + [{}])
                out.append(self.render_nodes(n[2] if not empty(cond) else n[3], dot, scopes + [{}]))
            elif kind == "with":
                v = self.pipeline(n[1], dot, scopes + [{}])
                out.append(self.render_nodes(n[2], v, scopes + [{}]) if not empty(v) else self.render_nodes(n[3], dot, scopes + [{}]))
            elif kind == "range":
                _, names, cmds = n[1]
                coll = self.pipeline((None, [], cmds), dot, scopes)
                items = sorted(coll.items()) if isinstance(coll, dict) else list(enumerate(coll or []))
                if not items:
                    out.append(self.render_nodes(n[3], dot, scopes + [{}]))
                for k, v in items:
                    s = {}
                    if len(names) == 2:
                        s[names[0]], s[names[1]] = k, v
                    elif len(names) == 1:
                        s[names[0]] = v
                    out.append(self.render_nodes(n[2], v, scopes + [s]))
        return "".join(out)


def set_value(values, key, raw):
    v = yaml.safe_load(raw) if raw not in ("",) else ""
    d = values
    parts = key.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = v


def render(chart, sets=(), api_versions=(), release="wc", namespace="worldcluster"):
    meta = yaml.safe_load(open(os.path.join(chart, "Chart.yaml")))
    values = yaml.safe_load(open(os.path.join(chart, "values.yaml")))
    for s in sets:
        k, _, v = s.partition("=")
        set_value(values, k, v)
    defines = {}
    files = sorted(os.listdir(os.path.join(chart, "templates")))
    trees = {}
    for f in files:
        trees[f] = parse(lex(open(os.path.join(chart, "templates", f)).read()), defines)
    root = {
        "Values": values,
        "Chart": {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta.get("appVersion", "")},
        "Release": {"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": True},
        "Capabilities": Capabilities(api_versions),
    }
    r = Renderer(defines, root)
    docs = {}
    for f, tree in trees.items():
        if f.startswith("_"):
            continue
        text = r.render_nodes(tree, root, [{"$": root}]).replace("<no value>", "")
        docs[f] = text
    return docs


def main(argv):
    chart, sets, apis = argv[0], [], []
    i = 1
    while i < len(argv):
        if argv[i] == "--set":
            sets.append(argv[i + 1])
            i += 2
        elif argv[i] == "--api-versions":
            apis.append(argv[i + 1])
            i += 2
        else:
            raise SystemExit(f"unknown argument {argv[i]}")
    try:
        docs = render(chart, sets, apis)
    except Fail as e:
        print(f"Error: execution error: {e}", file=sys.stderr)
        return 2
    for f, text in docs.items():
        if f == "NOTES.txt" or not text.strip():
            continue
        print(f"---\n# Source: worldcluster/templates/{f}\n{text.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
