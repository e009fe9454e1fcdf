"""A small GraphQL engine for the test forge (Python 3 standard library only).

It parses whatever document the client sends (operations, variables with types and defaults,
selection sets, aliases, field arguments, inline fragments, named fragments, @include/@skip),
validates it against a schema written in SDL (a subset of GitHub's, same names and types), and
executes it over resolver functions.  Errors use GitHub's wording and shape, e.g.
"Field 'headSha' doesn't exist on type 'PullRequest'" with extensions.code undefinedField.

The engine knows nothing about pull requests: the forge passes the schema text and a resolver
table.  Connection fields (type name ending in "Connection") get GitHub's pagination rules:
first/last required and within 1..100; the rate-limit cost and node count are computed from them.
"""

import base64
import re


class GraphQLError(Exception):
    def __init__(self, message, node=None, extensions=None, path=None, etype=None):
        super().__init__(message)
        self.message = message
        self.node = node
        self.extensions = extensions
        self.path = path
        self.etype = etype

    def as_dict(self):
        d = {"message": self.message}
        if self.etype:
            d["type"] = self.etype
        if self.path:
            d["path"] = self.path
        if self.node is not None and getattr(self.node, "line", None):
            d["locations"] = [{"line": self.node.line, "column": self.node.col}]
        if self.extensions:
            d["extensions"] = self.extensions
        return d


# ---------------------------------------------------------------------------------------------
# Lexer

_TOKEN = re.compile(r'''
    (?P<ignored>[\s,\ufeff]+|\#[^\n\r]*)
  | (?P<spread>\.\.\.)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<string>"(?:\\u[0-9A-Fa-f]{4}|\\["\\/bfnrt]|[^"\\\n\r])*")
  | (?P<float>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))
  | (?P<int>-?(?:0|[1-9][0-9]*))
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<punct>[!$&()\:=@\[\]{}|])
''', re.VERBOSE)

_ESC = {'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}


class Tok:
    __slots__ = ("kind", "value", "line", "col")

    def __init__(self, kind, value, line, col):
        self.kind, self.value, self.line, self.col = kind, value, line, col


def _unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            n = s[i + 1]
            if n == 'u':
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_ESC[n])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _block_string(raw):
    lines = raw.replace('\\"""', '"""').splitlines()
    indent = None
    for ln in lines[1:]:
        stripped = len(ln) - len(ln.lstrip(" \t"))
        if stripped < len(ln) and (indent is None or stripped < indent):
            indent = stripped
    if indent:
        lines = [lines[0]] + [ln[indent:] for ln in lines[1:]]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def lex(src):
    toks, pos, line, line_start = [], 0, 1, 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m:
            raise GraphQLError("Parse error on \"%s\" (error) at [%d, %d]"
                               % (src[pos], line, pos - line_start + 1))
        kind = m.lastgroup
        text = m.group(kind)
        if kind != "ignored":
            col = pos - line_start + 1
            if kind == "string":
                toks.append(Tok("string", _unescape(text[1:-1]), line, col))
            elif kind == "block":
                toks.append(Tok("string", _block_string(text[3:-3]), line, col))
            else:
                toks.append(Tok(kind, text, line, col))
        nl = text.count("\n")
        if nl:
            line += nl
            line_start = pos + text.rfind("\n") + 1
        pos = m.end()
    toks.append(Tok("eof", None, line, pos - line_start + 1))
    return toks


# ---------------------------------------------------------------------------------------------
# AST

class Node:
    line = col = 0


class Field(Node):
    def __init__(self, alias, name, args, directives, selections, tok):
        self.alias, self.name, self.args = alias, name, args
        self.directives, self.selections = directives, selections
        self.line, self.col = tok.line, tok.col

    @property
    def key(self):
        return self.alias or self.name


class InlineFragment(Node):
    def __init__(self, type_cond, directives, selections, tok):
        self.type_cond, self.directives, self.selections = type_cond, directives, selections
        self.line, self.col = tok.line, tok.col


class FragmentSpread(Node):
    def __init__(self, name, directives, tok):
        self.name, self.directives = name, directives
        self.line, self.col = tok.line, tok.col


class Operation(Node):
    def __init__(self, kind, name, var_defs, directives, selections, tok):
        self.kind, self.name, self.var_defs = kind, name, var_defs
        self.directives, self.selections = directives, selections
        self.line, self.col = tok.line, tok.col


class Fragment(Node):
    def __init__(self, name, type_cond, selections, tok):
        self.name, self.type_cond, self.selections = name, type_cond, selections
        self.line, self.col = tok.line, tok.col


class VarDef(Node):
    def __init__(self, name, type_, default, tok):
        self.name, self.type, self.default = name, type_, default
        self.line, self.col = tok.line, tok.col


# Type references: ("named", name) | ("list", ref) | ("nonnull", ref)
def type_str(t):
    if t[0] == "named":
        return t[1]
    if t[0] == "list":
        return "[%s]" % type_str(t[1])
    return type_str(t[1]) + "!"


def named(t):
    while t[0] != "named":
        t = t[1]
    return t[1]


class Parser:
    def __init__(self, src):
        self.toks = lex(src)
        self.i = 0

    def peek(self, value=None, kind=None):
        t = self.toks[self.i]
        if value is not None and (t.value != value or t.kind not in ("punct", "name", "spread")):
            return False
        if kind is not None and t.kind != kind:
            return False
        return t

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def fail(self, t=None):
        t = t or self.toks[self.i]
        shown = "end of file" if t.kind == "eof" else '"%s"' % t.value
        raise GraphQLError("Parse error on %s (%s) at [%d, %d]"
                           % (shown, t.kind.upper(), t.line, t.col), t)

    def expect(self, value):
        t = self.next()
        if t.value != value or t.kind == "string":
            self.fail(t)
        return t

    def name(self):
        t = self.next()
        if t.kind != "name":
            self.fail(t)
        return t.value

    # --- executable documents
    def document(self):
        ops, frags = [], {}
        while not self.peek(kind="eof"):
            t = self.peek()
            if t.kind == "punct" and t.value == "{":
                ops.append(Operation("query", None, [], [], self.selection_set(), t))
            elif t.kind == "name" and t.value in ("query", "mutation", "subscription"):
                self.next()
                name = self.name() if self.peek(kind="name") else None
                var_defs = self.var_defs()
                dirs = self.directives()
                ops.append(Operation(t.value, name, var_defs, dirs, self.selection_set(), t))
            elif t.kind == "name" and t.value == "fragment":
                self.next()
                fname = self.name()
                if self.name() != "on":
                    self.fail(self.toks[self.i - 1])
                cond = self.name()
                self.directives()
                frags[fname] = Fragment(fname, cond, self.selection_set(), t)
            else:
                self.fail(t)
        return ops, frags

    def var_defs(self):
        defs = []
        if not self.peek("("):
            return defs
        self.next()
        while not self.peek(")"):
            t = self.expect("$")
            name, ty, default = self.input_def()
            self.directives()
            defs.append(VarDef(name, ty, default, t))
        self.next()
        return defs

    def names(self, sep):
        """NAME (SEP NAME)*, with an optional leading SEP (union members, interfaces)."""
        if self.peek(sep):
            self.next()
        out = [self.name()]
        while self.peek(sep):
            self.next()
            out.append(self.name())
        return out

    def input_def(self):
        """NAME : TYPE [= CONST] (variable definitions and schema arguments)."""
        name = self.name()
        self.expect(":")
        ty = self.type_ref()
        default = None
        if self.peek("="):
            self.next()
            default = self.value(const=True)
        return name, ty, default

    def type_ref(self):
        if self.peek("["):
            self.next()
            inner = self.type_ref()
            self.expect("]")
            t = ("list", inner)
        else:
            t = ("named", self.name())
        if self.peek("!"):
            self.next()
            t = ("nonnull", t)
        return t

    def directives(self):
        dirs = []
        while self.peek("@"):
            self.next()
            dirs.append((self.name(), self.arguments()))
        return dirs

    def arguments(self, const=False):
        args = {}
        if not self.peek("("):
            return args
        self.next()
        while not self.peek(")"):
            name = self.name()
            self.expect(":")
            args[name] = self.value(const)
        self.next()
        return args

    def value(self, const=False):
        t = self.next()
        if t.kind == "punct" and t.value == "$" and not const:
            return ("var", self.name())
        if t.kind == "int":
            return ("int", int(t.value))
        if t.kind == "float":
            return ("float", float(t.value))
        if t.kind == "string":
            return ("string", t.value)
        if t.kind == "name":
            if t.value in ("true", "false"):
                return ("bool", t.value == "true")
            if t.value == "null":
                return ("null", None)
            return ("enum", t.value)
        if t.kind == "punct" and t.value == "[":
            items = []
            while not self.peek("]"):
                items.append(self.value(const))
            self.next()
            return ("list", items)
        if t.kind == "punct" and t.value == "{":
            fields = {}
            while not self.peek("}"):
                k = self.name()
                self.expect(":")
                fields[k] = self.value(const)
            self.next()
            return ("object", fields)
        self.fail(t)

    def selection_set(self):
        self.expect("{")
        sels = []
        while not self.peek("}"):
            t = self.peek()
            if t.kind == "spread":
                self.next()
                if self.peek("on"):
                    self.next()
                    cond = self.name()
                    dirs = self.directives()
                    sels.append(InlineFragment(cond, dirs, self.selection_set(), t))
                elif self.peek("{") or self.peek("@"):
                    dirs = self.directives()
                    sels.append(InlineFragment(None, dirs, self.selection_set(), t))
                else:
                    sels.append(FragmentSpread(self.name(), self.directives(), t))
                continue
            if t.kind != "name":
                self.fail(t)
            self.next()
            alias, name = None, t.value
            if self.peek(":"):
                self.next()
                alias, name = name, self.name()
            args = self.arguments()
            dirs = self.directives()
            subs = self.selection_set() if self.peek("{") else None
            sels.append(Field(alias, name, args, dirs, subs, t))
        self.next()
        if not sels:
            self.fail()
        return sels


# ---------------------------------------------------------------------------------------------
# Schema (SDL subset: scalar, enum, type, interface, union, input; descriptions and directives
# are skipped)

class FieldDef:
    def __init__(self, name, args, type_):
        self.name, self.args, self.type = name, args, type_


class TypeDef:
    def __init__(self, kind, name):
        self.kind, self.name = kind, name
        self.fields = {}
        self.interfaces = []
        self.members = []     # union members / interface implementors
        self.values = []      # enum values


BUILTIN_SCALARS = ("String", "Int", "Float", "Boolean", "ID")


class Schema:
    def __init__(self, sdl):
        self.types = {}
        for s in BUILTIN_SCALARS:
            self.types[s] = TypeDef("SCALAR", s)
        p = Parser(sdl)
        while not p.peek(kind="eof"):
            if p.peek(kind="string"):
                p.next()
                continue
            kw = p.name()
            if kw == "scalar":
                n = p.name()
                self.types[n] = TypeDef("SCALAR", n)
            elif kw == "enum":
                td = TypeDef("ENUM", p.name())
                p.expect("{")
                while not p.peek("}"):
                    if p.peek(kind="string"):
                        p.next()
                        continue
                    td.values.append(p.name())
                p.next()
                self.types[td.name] = td
            elif kw == "union":
                td = TypeDef("UNION", p.name())
                p.expect("=")
                td.members = p.names("|")
                self.types[td.name] = td
            elif kw in ("type", "interface", "input"):
                kind = {"type": "OBJECT", "interface": "INTERFACE", "input": "INPUT_OBJECT"}[kw]
                td = TypeDef(kind, p.name())
                if p.peek("implements"):
                    p.next()
                    td.interfaces = p.names("&")
                p.expect("{")
                while not p.peek("}"):
                    if p.peek(kind="string"):
                        p.next()
                        continue
                    fname = p.name()
                    args = {}
                    if p.peek("("):
                        p.next()
                        while not p.peek(")"):
                            if p.peek(kind="string"):
                                p.next()
                                continue
                            an, at, dv = p.input_def()
                            args[an] = (at, dv)
                        p.next()
                    p.expect(":")
                    td.fields[fname] = FieldDef(fname, args, p.type_ref())
                    p.directives()
                p.next()
                self.types[td.name] = td
            else:
                p.fail(p.toks[p.i - 1])
        for td in self.types.values():
            for i in td.interfaces:
                self.types[i].members.append(td.name)

    def possible(self, name):
        td = self.types[name]
        if td.kind == "OBJECT":
            return {name}
        return set(td.members)


# ---------------------------------------------------------------------------------------------
# Validation, variable coercion, cost, execution

MAX_PAGE = 100
MAX_NODES = 500000


def _err(msg, node, code, **ext):
    ext["code"] = code
    return GraphQLError(msg, node, ext)


class Request:
    """One GraphQL request: parse, validate, coerce variables, compute cost, execute."""

    def __init__(self, schema, resolvers, query, variables, operation_name):
        self.schema = schema
        self.resolvers = resolvers
        self.errors = []
        self.exec_errors = []
        self.vars = {}
        self.nodes = 0
        self.requests = 0
        self.deepest = None
        self.fragments = {}
        self.op = None
        if not isinstance(query, str) or not query.strip():
            raise GraphQLError("A query attribute must be specified and must be a string.")
        ops, self.fragments = Parser(query).document()
        if not ops:
            raise GraphQLError("No operations in query document")
        if operation_name:
            match = [o for o in ops if o.name == operation_name]
            if not match:
                raise GraphQLError('No operation named "%s"' % operation_name)
            self.op = match[0]
        elif len(ops) == 1:
            self.op = ops[0]
        else:
            raise GraphQLError("An operation name is required")
        if self.op.kind != "query":
            raise GraphQLError("Schema is not configured for %ss" % self.op.kind, self.op)
        self.raw_vars = variables if isinstance(variables, dict) else {}

    # --- validation (static, before any data is read)
    def validate(self):
        self.declared = {v.name: v for v in self.op.var_defs}
        self.used = set()
        for v in self.op.var_defs:
            if named(v.type) not in self.schema.types:
                self.errors.append(_err("%s isn't a defined input type (on $%s)"
                                        % (named(v.type), v.name), v, "variableRequiresValidType",
                                        typeName=named(v.type), variableName=v.name))
        self._validate_set(self.op.selections, "Query", [self._op_label()], set())
        for name, v in self.declared.items():
            if name not in self.used:
                self.errors.append(_err("Variable $%s is declared by %s but not used"
                                        % (name, self.op.name or "anonymous query"), v,
                                        "variableNotUsed", variableName=name))
        if not self.errors:
            self._coerce_variables()
        return not self.errors

    def _op_label(self):
        return "query" + ((" " + self.op.name) if self.op.name else "")

    def _validate_set(self, sels, tname, path, seen_frags):
        td = self.schema.types[tname]
        for sel in sels:
            self._validate_directives(sel)
            if isinstance(sel, Field):
                self._validate_field(sel, td, path)
            elif isinstance(sel, InlineFragment):
                cond = sel.type_cond or tname
                if not self._fragment_ok(sel, cond, tname, path):
                    continue
                self._validate_set(sel.selections, cond, path + ["... on " + cond], seen_frags)
            else:
                frag = self.fragments.get(sel.name)
                if frag is None:
                    self.errors.append(_err("Fragment %s was used, but not defined" % sel.name,
                                            sel, "useAndDefineFragment", fragmentName=sel.name))
                    continue
                if sel.name in seen_frags:
                    self.errors.append(_err("Fragment %s contains an infinite loop" % sel.name,
                                            sel, "infiniteLoop", fragmentName=sel.name))
                    continue
                if self._fragment_ok(frag, frag.type_cond, tname, path):
                    self._validate_set(frag.selections, frag.type_cond, path + ["... " + sel.name],
                                       seen_frags | {sel.name})

    def _validate_directives(self, sel):
        for dname, dargs in sel.directives:
            if dname not in ("include", "skip"):
                self.errors.append(_err("Directive @%s is not defined" % dname, sel,
                                        "undefinedDirective", directiveName=dname))
            for v in dargs.values():
                self._mark_vars(v)

    def _fragment_ok(self, node, cond, tname, path):
        if cond not in self.schema.types:
            self.errors.append(_err("No such type %s, so it can't be a fragment condition"
                                    % cond, node, "undefinedType", typeName=cond))
            return False
        if self.schema.types[cond].kind not in ("OBJECT", "INTERFACE", "UNION"):
            self.errors.append(_err("Invalid fragment on type %s (must be Union, Interface or "
                                    "Object)" % cond, node, "fragmentOnNonCompositeType",
                                    typeName=cond))
            return False
        if not (self.schema.possible(cond) & self.schema.possible(tname)):
            self.errors.append(_err("Fragment on %s can't be spread inside %s" % (cond, tname),
                                    node, "cannotSpreadFragment", typeName=cond,
                                    parentName=tname))
            return False
        return True

    def _mark_vars(self, v):
        if v[0] == "var":
            self.used.add(v[1])
            if v[1] not in self.declared:
                self.errors.append(_err("Variable $%s is used by %s but not declared"
                                        % (v[1], self.op.name or "anonymous query"), self.op,
                                        "variableNotDefined", variableName=v[1]))
        elif v[0] == "list":
            for x in v[1]:
                self._mark_vars(x)
        elif v[0] == "object":
            for x in v[1].values():
                self._mark_vars(x)

    def _validate_field(self, f, td, path):
        fpath = path + [f.key]
        if f.name == "__typename":
            if f.selections:
                self.errors.append(_err("Selections can't be made on scalars (field '__typename' "
                                        "returns String but has selections [%s])"
                                        % ", ".join(s.name for s in f.selections
                                                    if isinstance(s, Field)), f,
                                        "selectionMismatch", nodeName="field '__typename'"))
            return
        if td.kind == "UNION":
            self.errors.append(_err("Selections can't be made directly on unions (see selections "
                                    "on %s)" % td.name, f, "selectionMismatch",
                                    nodeName=td.name))
            return
        fd = td.fields.get(f.name)
        if fd is None:
            self.errors.append(GraphQLError(
                "Field '%s' doesn't exist on type '%s'" % (f.name, td.name), f,
                {"code": "undefinedField", "typeName": td.name, "fieldName": f.name}, fpath))
            return
        for an, av in f.args.items():
            if an not in fd.args:
                self.errors.append(GraphQLError(
                    "Field '%s' doesn't accept argument '%s'" % (f.name, an), f,
                    {"code": "argumentNotAccepted", "name": f.name, "typeName": "Field",
                     "argumentName": an}, fpath))
                continue
            self._mark_vars(av)
            self._check_literal(av, fd.args[an][0], f, an, fpath)
        missing = [an for an, (at, dv) in fd.args.items()
                   if at[0] == "nonnull" and dv is None and an not in f.args]
        if missing:
            self.errors.append(GraphQLError(
                "Field '%s' is missing required arguments: %s" % (f.name, ", ".join(missing)), f,
                {"code": "missingRequiredArguments", "className": "Field", "name": f.name,
                 "arguments": ", ".join(missing)}, fpath))
        rt = self.schema.types[named(fd.type)]
        if rt.kind in ("SCALAR", "ENUM"):
            if f.selections:
                self.errors.append(GraphQLError(
                    "Selections can't be made on scalars (field '%s' returns %s but has "
                    "selections [%s])" % (f.name, rt.name, ", ".join(
                        s.key for s in f.selections if isinstance(s, Field))), f,
                    {"code": "selectionMismatch", "nodeName": "field '%s'" % f.name,
                     "typeName": rt.name}, fpath))
            return
        if not f.selections:
            self.errors.append(GraphQLError(
                "Field must have selections (field '%s' returns %s but has no selections. Did "
                "you mean '%s { ... }'?)" % (f.name, rt.name, f.name), f,
                {"code": "selectionMismatch", "nodeName": "field '%s'" % f.name,
                 "typeName": rt.name}, fpath))
            return
        self._validate_set(f.selections, rt.name, fpath, set())

    def _check_literal(self, v, t, node, argname, path):
        """Literal argument values: enums must be known, scalars of the right kind."""
        if v[0] == "var":
            return
        base = t[1] if t[0] == "nonnull" else t
        if v[0] == "null":
            if t[0] == "nonnull":
                self._bad_arg(node, argname, v, t, path)
            return
        if base[0] == "list":
            items = v[1] if v[0] == "list" else [v]
            for x in items:
                self._check_literal(x, base[1], node, argname, path)
            return
        td = self.schema.types.get(base[1])
        ok = True
        if td is None:
            ok = False
        elif td.kind == "ENUM":
            ok = v[0] == "enum" and v[1] in td.values
        elif td.kind == "INPUT_OBJECT":
            ok = v[0] == "object" and all(k in td.fields for k in v[1])
            if ok:
                for k, sub in v[1].items():
                    self._check_literal(sub, td.fields[k].type, node, argname, path)
        elif td.name in ("Int",):
            ok = v[0] == "int"
        elif td.name == "Float":
            ok = v[0] in ("int", "float")
        elif td.name == "Boolean":
            ok = v[0] == "bool"
        elif td.name == "ID":
            ok = v[0] in ("string", "int")
        else:
            ok = v[0] == "string"
        if not ok:
            self._bad_arg(node, argname, v, t, path)

    def _bad_arg(self, node, argname, v, t, path):
        self.errors.append(GraphQLError(
            "Argument '%s' on Field '%s' has an invalid value (%s). Expected type '%s'."
            % (argname, node.name, _literal_str(v), type_str(t)), node,
            {"code": "argumentLiteralsIncompatible", "typeName": "Field",
             "argumentName": argname}, path))

    def _coerce_variables(self):
        for v in self.op.var_defs:
            present = v.name in self.raw_vars
            val = self.raw_vars.get(v.name)
            if not present and v.default is not None:
                self.vars[v.name] = literal_value(v.default, {})
                continue
            problems = []
            if present or v.type[0] == "nonnull":
                coerced = self._coerce(val, v.type, [], problems)
            else:
                coerced = None
            if problems:
                self.errors.append(GraphQLError(
                    "Variable $%s of type %s was provided invalid value" % (v.name,
                                                                            type_str(v.type)),
                    v, {"value": val, "problems": problems}))
                continue
            if present or v.type[0] == "nonnull":
                self.vars[v.name] = coerced

    def _coerce(self, val, t, path, problems):
        if t[0] == "nonnull":
            if val is None:
                problems.append({"path": path, "explanation": "Expected value to not be null"})
                return None
            return self._coerce(val, t[1], path, problems)
        if val is None:
            return None
        if t[0] == "list":
            if not isinstance(val, list):
                val = [val]
            return [self._coerce(x, t[1], path + [i], problems) for i, x in enumerate(val)]
        td = self.schema.types[t[1]]
        bad = {"path": path, "explanation": "Could not coerce value %s to %s"
               % (_json_short(val), t[1])}
        if td.kind == "ENUM":
            if val not in td.values:
                bad["explanation"] = "Expected \"%s\" to be one of: %s" % (val,
                                                                          ", ".join(td.values))
                problems.append(bad)
            return val
        if td.kind == "INPUT_OBJECT":
            if not isinstance(val, dict):
                problems.append(bad)
                return None
            out = {}
            for k, x in val.items():
                if k not in td.fields:
                    problems.append({"path": path + [k], "explanation": "Field is not defined on "
                                     + td.name})
                    continue
                out[k] = self._coerce(x, td.fields[k].type, path + [k], problems)
            return out
        if t[1] == "Int":
            if isinstance(val, bool) or not isinstance(val, int) or abs(val) > 2 ** 31 - 1:
                problems.append(bad)
        elif t[1] == "Float":
            if isinstance(val, bool) or not isinstance(val, (int, float)):
                problems.append(bad)
        elif t[1] == "Boolean":
            if not isinstance(val, bool):
                problems.append(bad)
        elif t[1] == "ID":
            if isinstance(val, bool) or not isinstance(val, (str, int)):
                problems.append(bad)
            val = str(val)
        elif not isinstance(val, str):
            problems.append(bad)
        return val

    # --- cost: GitHub's rule (every connection needs first/last within 1..100)
    def compute_cost(self):
        self._cost_set(self.op.selections, "Query", 1, set())
        if not self.errors and self.nodes > MAX_NODES:
            self.errors.append(GraphQLError(
                "By the time this query traverses to the %s connection, it is requesting up to "
                "%d possible nodes which exceeds the maximum limit of %d." % (
                    self.deepest, self.nodes, MAX_NODES), self.op,
                {"code": "MAX_NODE_LIMIT_EXCEEDED"}, etype="MAX_NODE_LIMIT_EXCEEDED"))
        return not self.errors

    def _cost_set(self, sels, tname, mult, seen):
        for f, ftype in self._flatten(sels, tname):
            fd = ftype.fields.get(f.name) if f.name != "__typename" else None
            if fd is None or not f.selections:
                continue
            rname = named(fd.type)
            child = mult
            if rname.endswith("Connection"):
                args = self.args_of(f, fd)
                n = None
                for k in ("first", "last"):
                    if args.get(k) is not None:
                        n = args[k]
                        if n < 0 or n > MAX_PAGE:
                            self.errors.append(_err(
                                "Requesting %d records on the `%s` connection exceeds the `%s` "
                                "limit of %d records." % (n, f.name, k, MAX_PAGE), f,
                                "connectionLimit"))
                            return
                if n is None:
                    self.errors.append(_err(
                        "You must provide a `first` or `last` value to properly paginate the "
                        "`%s` connection." % f.name, f, "missingPaginationBoundaries"))
                    return
                self.requests += mult
                self.nodes += mult * n
                self.deepest = f.name
                child = mult * max(n, 1)
            self._cost_set(f.selections, rname, child, seen)

    def _flatten(self, sels, tname):
        """Fields of a selection set with the type they are read on (fragments expanded)."""
        td = self.schema.types[tname]
        out = []
        for sel in sels:
            if not self._included(sel):
                continue
            if isinstance(sel, Field):
                out.append((sel, td))
            elif isinstance(sel, InlineFragment):
                out.extend(self._flatten(sel.selections, sel.type_cond or tname))
            else:
                frag = self.fragments[sel.name]
                out.extend(self._flatten(frag.selections, frag.type_cond))
        return out

    @property
    def cost(self):
        return max(1, int(round(self.requests / 100.0)))

    # --- execution
    def args_of(self, f, fd):
        out = {}
        for an, (at, dv) in fd.args.items():
            if an in f.args:
                out[an] = literal_value(f.args[an], self.vars)
            elif dv is not None:
                out[an] = literal_value(dv, {})
        return out

    def _included(self, sel):
        for dname, dargs in sel.directives:
            cond = literal_value(dargs.get("if", ("bool", True)), self.vars)
            if dname == "include" and not cond:
                return False
            if dname == "skip" and cond:
                return False
        return True

    def _collect(self, sels, runtime, out):
        for sel in sels:
            if not self._included(sel):
                continue
            if isinstance(sel, Field):
                out.setdefault(sel.key, []).append(sel)
            elif isinstance(sel, InlineFragment):
                if sel.type_cond is None or runtime in self.schema.possible(sel.type_cond):
                    self._collect(sel.selections, runtime, out)
            else:
                frag = self.fragments[sel.name]
                if runtime in self.schema.possible(frag.type_cond):
                    self._collect(frag.selections, runtime, out)
        return out

    def execute(self, root, ctx):
        return self._object(root, "Query", self.op.selections, ctx, [])

    def _object(self, obj, tname, sels, ctx, path):
        fields = self._collect(sels, tname, {})
        td = self.schema.types[tname]
        result = {}
        for key, nodes in fields.items():
            f = nodes[0]
            if f.name == "__typename":
                result[key] = tname
                continue
            fd = td.fields[f.name]
            args = self.args_of(f, fd)
            res = self.resolvers.get((tname, f.name))
            try:
                if res is not None:
                    val = res(obj, args, ctx)
                elif isinstance(obj, dict):
                    val = obj.get(f.name)
                    if callable(val):
                        val = val(args)
                else:
                    val = None
            except GraphQLError as e:
                # GitHub answers partial data plus an error located at the field.
                e.path = path + [key]
                e.node = f
                self.exec_errors.append(e)
                result[key] = None
                continue
            sub = []
            for n in nodes:
                sub.extend(n.selections or [])
            result[key] = self._complete(val, fd.type, sub, ctx, path + [key])
        return result

    def _complete(self, val, t, sels, ctx, path):
        if t[0] == "nonnull":
            t = t[1]
        if val is None:
            return None
        if t[0] == "list":
            return [self._complete(v, t[1], sels, ctx, path + [i]) for i, v in enumerate(val)]
        td = self.schema.types[t[1]]
        if td.kind == "ENUM" and val not in td.values:
            # A resolver spelled an enum value GitHub's schema does not have.
            raise GraphQLError("internal: %r is not a value of %s" % (val, td.name))
        if td.kind in ("SCALAR", "ENUM"):
            return val
        runtime = td.name if td.kind == "OBJECT" else val.get("__typename")
        if runtime not in self.schema.possible(td.name):
            raise GraphQLError("internal: %s is not a %s" % (runtime, td.name))
        return self._object(val, runtime, sels, ctx, path)


def literal_value(v, variables):
    kind = v[0]
    if kind == "var":
        return variables.get(v[1])
    if kind == "list":
        return [literal_value(x, variables) for x in v[1]]
    if kind == "object":
        return {k: literal_value(x, variables) for k, x in v[1].items()}
    return v[1]


def _literal_str(v):
    if v[0] == "string":
        return '"%s"' % v[1]
    if v[0] == "list":
        return "[" + ", ".join(_literal_str(x) for x in v[1]) + "]"
    if v[0] == "object":
        return "{" + ", ".join("%s: %s" % (k, _literal_str(x)) for k, x in v[1].items()) + "}"
    if v[0] == "bool":
        return "true" if v[1] else "false"
    if v[0] == "null":
        return "null"
    return str(v[1])


def _json_short(v):
    import json
    s = json.dumps(v)
    return s if len(s) < 80 else s[:77] + "..."


# ---------------------------------------------------------------------------------------------
# Connections

def cursor(i):
    return base64.b64encode(("cursor:v2:%d" % i).encode()).decode()


def cursor_index(c):
    try:
        s = base64.b64decode(c.encode(), validate=True).decode()
        if s.startswith("cursor:v2:"):
            return int(s[10:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise GraphQLError("`%s` does not appear to be a valid cursor." % c,
                       etype="INVALID_CURSOR_ARGUMENTS")


def connection(items, args, extra=None):
    """Slice items per first/after/last/before into GitHub's connection shape."""
    start, end = 0, len(items)
    if args.get("after"):
        start = max(start, cursor_index(args["after"]) + 1)
    if args.get("before"):
        end = min(end, cursor_index(args["before"]))
    if end < start:
        end = start
    has_next = has_prev = False
    if args.get("first") is not None:
        if end - start > args["first"]:
            end = start + args["first"]
            has_next = True
    if args.get("last") is not None:
        if end - start > args["last"]:
            start = end - args["last"]
            has_prev = True
    if args.get("after") and start > 0:
        has_prev = True
    if args.get("before") and end < len(items):
        has_next = True
    page = items[start:end]
    out = {
        "totalCount": len(items),
        "nodes": page,
        "edges": [{"cursor": cursor(start + i), "node": n} for i, n in enumerate(page)],
        "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_prev,
                     "startCursor": cursor(start) if page else None,
                     "endCursor": cursor(end - 1) if page else None},
    }
    if extra:
        out.update(extra)
    return out
