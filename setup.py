"""Build of the one C extension, `vc._jcs` (JCS for plain JSON, vc/canon.py's fast path).

Everything else is in pyproject.toml. The extension is optional: without a C compiler
laurel installs all the same and canonicalizes with Python's JSON encoder and rfc8785.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("vc._jcs", ["vc/_jcs.c"], optional=True)])
