"""The modules mypyc compiles (pyproject.toml, [tool.laurel] compiled): built, current, and
their doctests, run from the source against the compiled module."""

from __future__ import annotations

import ast
import doctest
import importlib
import os

import pytest

from conftest import COMPILED, ROOT, binaries

MODULES = [
    source.relative_to(ROOT).with_suffix("").as_posix().removesuffix("/__init__").replace("/", ".")
    for source in COMPILED
]


@pytest.mark.skipif(bool(os.environ.get("LAUREL_PURE_PYTHON")), reason="installed as Python")
@pytest.mark.parametrize(("source", "name"), list(zip(COMPILED, MODULES, strict=True)), ids=MODULES)
def test_the_module_is_compiled(source, name):
    module = importlib.import_module(name)
    assert binaries(source), f"{name} was not compiled: run scripts/bootstrap"
    assert module.__file__ is not None
    assert module.__file__.endswith(".so")


@pytest.mark.parametrize(("source", "name"), list(zip(COMPILED, MODULES, strict=True)), ids=MODULES)
def test_its_doctests_pass(source, name):
    # doctest's own finder sees no docstrings in a compiled module: each docstring of the
    # source is run in the compiled module's namespace, as pytest runs the others.
    module = importlib.import_module(name)
    text = source.read_text("utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=True)
            if docstring and ">>> " in docstring:
                where = getattr(node, "name", name)
                runner.run(parser.get_doctest(docstring, dict(vars(module)), where, str(source), 0))
    result = runner.summarize(verbose=False)
    assert result.attempted == text.count(">>> ")
    assert result.failed == 0
