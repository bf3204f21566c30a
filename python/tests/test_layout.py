"""The binding against include/wrapgemm.h: struct sizes and offsets and
enum values printed by a C program compiled here against the header, and
every WG_API prototype parsed from it, so that wrapgemm.capi can never
drift from the header silently."""
import ctypes
import os
import re
import subprocess
import tempfile
import unittest

from .common import HEADER, REPO, wg

capi = wg.capi


def header_text():
    with open(HEADER) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def header_structs(text):
    """{name: [field names in order]} of the non-opaque typedef structs."""
    out = {}
    for name, body in re.findall(r"typedef\s+struct\s+(wg_\w+)\s*\{(.*?)\}\s*\1\s*;", text, re.S):
        fields = []
        for decl in body.split(";"):
            decl = decl.strip()
            if not decl:
                continue
            # "int64_t batch, channels" or "int64_t width[33]" or "const float *scale"
            head, *rest = decl.split(",")
            names = [re.findall(r"(\w+)\s*(?:\[\s*\d+\s*\])?\s*$", head)[0]]
            names += [re.sub(r"[\s*]|\[.*\]", "", r) for r in rest]
            fields += names
        out[name] = fields
    return out


def header_enums(text):
    """{typedef name: {constant: value}}."""
    out = {}
    for name, body in re.findall(r"typedef\s+enum\s+(wg_\w+)\s*\{(.*?)\}\s*\1\s*;", text, re.S):
        out[name] = {c: int(v) for c, v in re.findall(r"(WG_\w+)\s*=\s*(\d+)", body)}
    return out


def header_functions(text):
    """{name: (return type, [parameter types])}."""
    out = {}
    for ret, name, params in re.findall(r"WG_API\s+([\w\s\*]+?)\s*\b(wg_\w+)\s*\(([^()]*)\)\s*;", text):
        types = []
        for p in params.split(","):
            p = " ".join(p.replace("*", " * ").split())
            if p in ("void", ""):
                continue
            words = p.split()
            if len(words) > 1 and words[-1] != "*" and re.fullmatch(r"\w+", words[-1]):
                words = words[:-1]  # drop the parameter's name
            types.append(" ".join(w for w in words if w != "const"))
        out[name] = (" ".join(ret.replace("*", " * ").split()).replace("const ", ""), types)
    return out


def ctypes_for(ctype, is_return=False):
    """The ctypes type a C type must be bound as."""
    t = ctype.strip()
    if t == "void":
        return None
    if t.endswith("*"):
        base = t[:-1].strip()
        if base == "char":
            return ctypes.c_char_p
        if base.endswith("*"):
            inner = base[:-1].strip()
            assert inner in ("wg_context", "wg_weights"), t
            return ctypes.POINTER(ctypes.c_void_p)
        if base in capi.STRUCTS:
            return ctypes.POINTER(capi.STRUCTS[base])
        if base == "int":
            return ctypes.POINTER(ctypes.c_int)
        return ctypes.c_void_p  # handles and data arrays
    scalars = {"int": ctypes.c_int, "int64_t": ctypes.c_int64, "float": ctypes.c_float,
               "double": ctypes.c_double, "wg_parallel_for_fn": capi.wg_parallel_for_fn}
    if t in scalars:
        return scalars[t]
    if t in capi.ENUMS:
        return ctypes.c_int
    if t in capi.STRUCTS:
        return capi.STRUCTS[t]
    raise AssertionError(f"no ctypes rule for C type {t!r}")


def drift(what, header, binding):
    """The message of a binding that lags behind the header (or ahead)."""
    new = sorted(set(header) - set(binding))
    gone = sorted(set(binding) - set(header))
    return (f"{what}: in include/wrapgemm.h but not bound in python/wrapgemm/capi.py: {new}; "
            f"bound but no longer in the header: {gone}")


def c_probe():
    """Runs a C program that prints, for the binding's structs, fields and
    enum constants, what the compiler makes of the header."""
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "wrapgemm.h"',
             "int main(void) {"]
    for name, cls in capi.STRUCTS.items():
        lines.append(f'  printf("struct {name} %zu %zu\\n", sizeof({name}), _Alignof({name}));')
        for f, _ in cls._fields_:
            lines.append(f'  printf("field {name}.{f} %zu %zu\\n", offsetof({name}, {f}), '
                         f"sizeof((({name} *)0)->{f}));")
    for name, (kind, cname) in capi.ENUMS.items():
        lines.append(f'  printf("enum {name} %zu\\n", sizeof({name}));')
        for member in kind:
            lines.append(f'  printf("const {cname(member)} %lld\\n", (long long){cname(member)});')
    lines.append('  printf("version %s\\n", WG_VERSION_STRING);')
    lines += ["  return 0;", "}"]
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "probe.c"), os.path.join(tmp, "probe")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-I", os.path.join(REPO, "include"),
                        src, "-o", exe], check=True, capture_output=True, text=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()]


class TestHeaderMirror(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = header_text()
        try:
            cls.probe = c_probe()
        except subprocess.CalledProcessError as e:
            raise AssertionError(f"the probe did not compile against the header:\n{e.stderr}")

    def test_struct_sizes_and_offsets(self):
        seen = 0
        for row in self.probe:
            if row[0] == "struct":
                cls = capi.STRUCTS[row[1]]
                self.assertEqual((ctypes.sizeof(cls), ctypes.alignment(cls)),
                                 (int(row[2]), int(row[3])), f"{row[1]}: size, alignment")
            elif row[0] == "field":
                sname, fname = row[1].split(".")
                field = getattr(capi.STRUCTS[sname], fname)
                self.assertEqual((field.offset, field.size), (int(row[2]), int(row[3])),
                                 f"{row[1]}: offset, size")
                seen += 1
        self.assertGreater(seen, 30)

    def test_every_struct_and_field_mirrored(self):
        structs = header_structs(self.text)
        self.assertEqual(sorted(structs), sorted(capi.STRUCTS), drift("structs", structs,
                                                                      capi.STRUCTS))
        for name, fields in structs.items():
            self.assertEqual([f for f, _ in capi.STRUCTS[name]._fields_], fields, name)

    def test_enums(self):
        enums = header_enums(self.text)
        self.assertEqual(sorted(enums), sorted(capi.ENUMS), drift("enums", enums, capi.ENUMS))
        for name, consts in enums.items():
            kind, cname = capi.ENUMS[name]
            self.assertEqual({cname(m): int(m) for m in kind}, consts, name)
        values = {row[1]: int(row[2]) for row in self.probe if row[0] == "const"}
        for name, (kind, cname) in capi.ENUMS.items():
            for m in kind:
                self.assertEqual(values[cname(m)], int(m), cname(m))
        for row in self.probe:
            if row[0] == "enum":
                self.assertEqual(int(row[2]), ctypes.sizeof(ctypes.c_int), row[1])

    def test_every_prototype(self):
        funcs = header_functions(self.text)
        self.assertEqual(sorted(funcs), sorted(capi.PROTOTYPES),
                         drift("WG_API functions", funcs, capi.PROTOTYPES))
        for name, (ret, params) in funcs.items():
            res, args = capi.PROTOTYPES[name]
            want_ret = ctypes_for(ret, True)
            if ret in capi.ENUMS:
                want_ret = ctypes.c_int
            self.assertIs(res, want_ret, f"{name}: return type {ret}")
            self.assertEqual(len(args), len(params), f"{name}: parameter count")
            for i, (a, p) in enumerate(zip(args, params)):
                self.assertIs(a, ctypes_for(p), f"{name}: parameter {i} ({p})")

    def test_version(self):
        row = [r for r in self.probe if r[0] == "version"][0]
        self.assertEqual(wg.version(), row[1])

    def test_status_table(self):
        """The exception table against wg_status_name, every code, and the
        header's enum (through test_enums)."""
        codes = [int(s) for s in wg.Status]
        self.assertEqual(codes, list(range(len(codes))))
        for s in wg.Status:
            self.assertEqual(capi.lib.wg_status_name(int(s)).decode(), capi.status_c_name(s))
            if s:
                cls = wg.error_class(s)
                self.assertTrue(issubclass(cls, wg.WgError))
                self.assertEqual(cls.status, int(s))
                self.assertEqual(cls.status_name, "WG_ERR_" + s.name)
                self.assertEqual(cls.__name__, wg.errors.class_name(cls.status_name))
                self.assertIs(getattr(wg, cls.__name__), cls)
        self.assertEqual(capi.lib.wg_status_name(len(codes)).decode(), "WG_ERR_?")
        self.assertIs(wg.BadSize, wg.error_class(2))
        self.assertEqual(wg.Aliasing.status, 12)
        self.assertEqual(wg.Misaligned.status, 13)
        self.assertEqual(wg.KernelUnavailable.__name__, "KernelUnavailable")
        # a status newer than the table still gets a class named after it
        unknown = wg.error_class(len(codes) + 50)
        self.assertTrue(issubclass(unknown, wg.WgError))
        self.assertEqual(unknown.status, len(codes) + 50)

    def test_defaults_match_c(self):
        c = capi.lib.wg_epilogue_default()
        py = wg.Epilogue()
        for f, _ in capi.wg_epilogue._fields_:
            v = getattr(c, f)
            if isinstance(v, int):
                self.assertEqual(int(getattr(py, f)), v, f)
            else:
                self.assertFalse(v, f)          # NULL pointers
                self.assertIsNone(getattr(py, f), f)
        self.assertEqual(set(wg.OUTPUT_DTYPES), set(wg.Output))
        o = capi.lib.wg_swar_options_default()
        self.assertEqual((o.reg_bits, o.mode), (64, wg.SwarMode.EXACT))


if __name__ == "__main__":
    unittest.main()
