"""Build of laurel's native code; everything else is in pyproject.toml.

- `vc._jcs` (vc/_jcs.c): JCS for plain JSON, vc/canon.py's fast path.
- `vc._base58` (vc/_base58.c): base58btc decoding, vc/keys.py's fast path.
- `vc._json` (vc/_json.c): strict JSON parsing, vc/jsontext.py's fast path.
- The modules on the verification path that walk every member of a document,
  compiled by mypyc from their typed Python source (bench/REPORT.md: what it buys).

mypyc's modules are listed in pyproject.toml ([tool.laurel] compiled). With
LAUREL_PURE_PYTHON=1 (a machine without a C compiler, or to step through the code in
a debugger) nothing is compiled: laurel gives the same answers, only slower. Without
a compiler the two C files are skipped by themselves (optional); mypyc's modules are not.
"""

import importlib.util
import os
import tomllib

from setuptools import Extension, setup


def _native() -> list[Extension]:
    if os.environ.get("LAUREL_PURE_PYTHON"):
        return []
    return [
        Extension("vc._jcs", ["vc/_jcs.c"], optional=True),
        Extension("vc._base58", ["vc/_base58.c"], optional=True),
        Extension("vc._json", ["vc/_json.c"], optional=True),
        *_compiled(),
    ]


#: What the compiled modules import: mypyc type-checks them against these, so it runs
#: only where they are installed (scripts/bootstrap: `pip install --no-build-isolation`
#: after the dependencies). An isolated build (`pip install .`) installs Python.
_SEEN_BY_MYPYC = ("nacl", "pyld", "cryptography", "babel", "jsonschema", "referencing", "web3")


def _compiled() -> list[Extension]:
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    missing = [name for name in _SEEN_BY_MYPYC if importlib.util.find_spec(name) is None]
    if missing:
        print(f"laurel: not compiling with mypyc ({', '.join(missing)} not installed here)")
        return []
    with open("pyproject.toml", "rb") as file:
        compiled = tomllib.load(file)["tool"]["laurel"]["compiled"]
    return mypycify(compiled, opt_level="3", debug_level="0")


setup(ext_modules=_native())
