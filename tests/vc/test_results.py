"""Results are values: read-only, equal by their members, and they pickle (``--jobs``)."""

from __future__ import annotations

import copy
import pickle

import pytest

from vc.results import CheckResult, Status, VerificationResult


def _result() -> VerificationResult:
    inner = VerificationResult((CheckResult.passed("proof.signature", "ok", proof=0),))
    return VerificationResult(
        (
            CheckResult.passed("format", "well-formed"),
            CheckResult.failed("status.revoked", "revoked", index=5, list="https://x.example/1"),
        ),
        summary={"name": "Badge"},
        credentials=(inner,),
    )


def test_a_result_survives_pickling_and_copying() -> None:
    result = _result()
    pickled = pickle.loads(pickle.dumps(result))  # noqa: S301 (our own bytes, as --jobs does)
    for again in (pickled, copy.deepcopy(result), copy.copy(result)):
        assert again == result
        assert again.checks[1].details == {"index": 5, "list": "https://x.example/1"}
        assert again.credentials[0].verified
        assert not again.verified
        assert again.to_json() == result.to_json()


def test_members_are_read_only() -> None:
    result = _result()
    check = result.checks[0]
    with pytest.raises(AttributeError):
        check.id = "proof"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        check.status = Status.FAILED  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.checks = ()  # type: ignore[misc]


def test_equality_is_by_members_and_type() -> None:
    assert CheckResult.passed("format", "a", x=1) == CheckResult(
        "format", Status.PASSED, "a", {"x": 1}
    )
    assert CheckResult.passed("format", "a") != CheckResult.warning("format", "a")
    assert CheckResult.passed("format", "a") != ("format", Status.PASSED, "a", {})
    assert _result() != VerificationResult(_result().checks)
    with pytest.raises(TypeError):
        hash(CheckResult.passed("format", "a"))


def test_a_check_id_outside_the_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="not in one of the groups"):
        CheckResult("bogus.thing", Status.PASSED, "x")


def test_built_from_python_code_a_result_is_whole() -> None:
    # A trial of mypyc's own pickling support left an object built from interpreted
    # code without its members; these are built from here, a test module.
    check = CheckResult("trust", Status.WARNING, "no registry")
    assert (check.id, check.status, check.message, dict(check.details)) == (
        "trust",
        Status.WARNING,
        "no registry",
        {},
    )
    assert "trust" in repr(check)
    empty = VerificationResult(())
    assert not empty.verified
    assert empty.summary == {}
    assert empty.check("trust") is None
    assert empty.failures() == ()
