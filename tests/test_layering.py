"""The dependency direction of docs/ARCHITECTURE.md, read from every import in the library.

cli, laurel_demo -> wallet, verifier -> anchor -> vc: arrows point down only; wallet and
verifier never import each other; verifier reaches anchor only inside functions (a badge
without an anchor proof never loads web3); web3 lives in anchor's web3chain, rpc and embedded modules alone, eth-tester
in anchor/embedded.py alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("vc", "anchor", "wallet", "verifier")
LAUREL = {*PACKAGES, "cli", "laurel_demo"}

#: What each package may import of laurel's own (besides itself).
ALLOWED = {
    "vc": set(),
    "anchor": {"vc"},
    "wallet": {"vc", "anchor"},
    "verifier": {"vc", "anchor"},
}
#: Imports allowed only inside a function, never when the module loads.
LAZY_ONLY = {("verifier", "anchor")}
#: Third-party modules only the named modules may import.
CONFINED = {
    "web3": {"anchor/web3chain.py", "anchor/rpc.py", "anchor/embedded.py"},
    "eth_tester": {"anchor/embedded.py"},
}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every absolute import of `path`: (module, whether it runs when the module loads).

    Imports inside a function run when it is called; those under ``if TYPE_CHECKING:``
    never run. Every other import runs at load, however deeply nested.
    """
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, at_load: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, at_load) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, at_load))
        for child in ast.iter_child_nodes(node):
            lazy = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            lazy = lazy or (
                isinstance(node, ast.If)
                and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"
                and child in node.body
            )
            visit(child, at_load and not lazy)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_arrows_point_down_only(package):
    wrong = []
    for path in _modules(package):
        for module, at_load in _imports(path):
            root = module.split(".")[0]
            if root not in LAUREL or root == package:
                continue
            if root not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(REPO)} imports {module}")
            elif at_load and (package, root) in LAZY_ONLY:
                wrong.append(f"{path.relative_to(REPO)} imports {module} when it loads")
    assert wrong == []


def test_web3_and_eth_tester_stay_in_anchor_chain():
    files = [path for package in PACKAGES for path in _modules(package)]
    files += [*_modules("cli"), *_modules("laurel_demo")]
    wrong = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in files
        for module, _ in _imports(path)
        if module.split(".")[0] in CONFINED
        and path.relative_to(REPO).as_posix() not in CONFINED[module.split(".")[0]]
    ]
    assert wrong == []


def test_the_rule_sees_the_imports_it_judges():
    # A rule over no imports would pass whatever the code did.
    assert ("vc.keys", True) in _imports(REPO / "anchor" / "proof.py")
    assert ("anchor.check", False) in _imports(REPO / "verifier" / "anchor_checks.py")
    assert ("vc.jsontext", True) in _imports(REPO / "verifier" / "verify.py")
    assert ("wallet.ledger", True) in _imports(REPO / "laurel_demo" / "__init__.py")
    assert any(module.startswith("web3") for module, _ in _imports(REPO / "anchor" / "rpc.py"))
    assert any(
        module.startswith("eth_tester") for module, _ in _imports(REPO / "anchor" / "embedded.py")
    )
