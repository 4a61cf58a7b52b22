from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.results import Status
from verifier import VerificationPolicy, verify
from wallet.errors import WrongPassphraseError
from wallet.issuer import (
    AchievementError,
    Evidence,
    IssuanceRefusedError,
    IssueOptions,
    RecipientError,
    RosterError,
    issue_badge,
    issue_roster,
    load_achievement,
    plan_roster,
    read_roster,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
LATER = VerificationPolicy(now=NOW + dt.timedelta(days=1))
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _achievement():
    return load_achievement(json.dumps(ACHIEVEMENT).encode())


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issued_badge_verifies_and_is_stored(tmp_wallet, suite):
    options = IssueOptions(
        suite=suite,
        now=NOW,
        evidence=(Evidence("https://portfolio.example/ana", "Unit 3 plans"),),
        result="proficient",
    )
    stored = issue_badge(tmp_wallet, PASSPHRASE, _achievement(), HOLDER, options)
    result = verify(stored.document, LATER)
    assert result.verified, [(c.id, c.message) for c in result.failures()]
    assert result.check("schema").status is Status.PASSED
    document = stored.document
    assert document["issuer"]["name"] == "Riverside School District"
    assert document["credentialSubject"]["id"] == HOLDER
    assert (
        document["credentialSubject"]["result"][0]["achievedLevel"] == "urn:uuid:level-proficient"
    )
    assert document["evidence"][0] == {
        "id": "https://portfolio.example/ana",
        "type": ["Evidence"],
        "name": "Unit 3 plans",
    }
    assert document["credentialSubject"]["achievement"]["tag"] == ["assessment", "pedagogy"]
    assert tmp_wallet.store.get_credential(stored.id).text == stored.text


def test_email_recipient_is_a_salted_identity_hash(tmp_wallet):
    import hashlib

    stored = issue_badge(
        tmp_wallet, PASSPHRASE, _achievement(), "Ana@School.example", IssueOptions(now=NOW)
    )
    identity = stored.document["credentialSubject"]["identifier"][0]
    assert "Ana@School.example".lower() not in stored.text.lower()
    expected = hashlib.sha256(("ana@school.example" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert verify(stored.document, LATER).verified


def test_wrong_passphrase_issues_nothing(tmp_wallet):
    from wallet.home import Wallet

    reopened = Wallet.open(tmp_wallet.home)
    with pytest.raises(WrongPassphraseError):
        issue_badge(reopened, "not the passphrase", _achievement(), HOLDER, IssueOptions(now=NOW))
    assert reopened.store.count_credentials() == 0
    reopened.close()


def test_unknown_rubric_level(tmp_wallet):
    with pytest.raises(AchievementError):
        issue_badge(
            tmp_wallet,
            PASSPHRASE,
            _achievement(),
            HOLDER,
            IssueOptions(now=NOW, result="legendary"),
        )


@pytest.mark.parametrize(
    "data",
    [
        b"[]",
        b"{}",
        b'{"name": "x", "description": "y"}',
        b'{"name": "x", "description": "y", "criteria": 5}',
        b"\xff",
    ],
)
def test_bad_achievements(data):
    with pytest.raises(AchievementError):
        load_achievement(data)


def test_achievement_gets_a_stable_id_and_type():
    achievement = load_achievement(b'{"name": "x", "description": "y", "criteria": "do it"}')
    assert achievement["id"].startswith("urn:uuid:")
    assert (
        load_achievement(b'{"name": "x", "description": "y", "criteria": "do it"}')["id"]
        == achievement["id"]
    )
    assert (
        load_achievement(b'{"name": "z", "description": "y", "criteria": "do it"}')["id"]
        != achievement["id"]
    )
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {"narrative": "do it"}


@pytest.mark.parametrize(
    ("recipient", "why"),
    [
        ("Ana Rivera", "neither a DID nor an email"),
        ("not-an-email", "neither a DID nor an email"),
        ("did:", "is not a DID"),
        ("did:key:zBAD", "is not a valid DID"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#key-1", "DID URL"),
        ("", "empty"),
    ],
)
def test_bad_recipient_is_refused_before_anything_is_signed(tmp_wallet, recipient, why):
    with pytest.raises(RecipientError, match=why):
        issue_badge(tmp_wallet, PASSPHRASE, _achievement(), recipient, IssueOptions(now=NOW))
    assert tmp_wallet.store.count_credentials() == 0


def _roster(n: int) -> bytes:
    lines = ["name,email"] + [f"Teacher {i},teacher{i}@riverside.example" for i in range(n)]
    return "\n".join(lines).encode()


def test_roster_issues_every_row_and_is_idempotent(tmp_wallet, tmp_path):
    rows = read_roster(_roster(25))
    out = tmp_path / "out"
    first = issue_roster(
        tmp_wallet, PASSPHRASE, _achievement(), rows, out, IssueOptions(now=NOW), chunk_size=10
    )
    assert (first.issued, first.already_issued, first.files) == (25, 0, 25)
    again = issue_roster(
        tmp_wallet, PASSPHRASE, _achievement(), rows, out, IssueOptions(now=NOW), chunk_size=10
    )
    assert (again.issued, again.already_issued, again.files) == (0, 25, 0)
    assert tmp_wallet.store.count_credentials() == 25
    assert len(list(out.glob("*.json"))) == 25


def test_roster_rewrites_missing_exports(tmp_wallet, tmp_path):
    rows = read_roster(_roster(3))
    out = tmp_path / "out"
    issue_roster(tmp_wallet, PASSPHRASE, _achievement(), rows, out, IssueOptions(now=NOW))
    victim = sorted(out.glob("*.json"))[1]
    victim.unlink()
    report = issue_roster(tmp_wallet, PASSPHRASE, _achievement(), rows, out, IssueOptions(now=NOW))
    assert (report.issued, report.files) == (0, 1)
    assert victim.exists()


@pytest.mark.parametrize(
    "data",
    [
        b"email\nx@y.example\n",
        b"name,email\nAna,\n",
        b"name,email\nAna,not-an-email\n",
        b"name,email,did\nAna,,notadid\n",
        b"name,email\nAna,a@y.example\nAna again,A@y.example\n",
        b"\xff\xfe",
    ],
)
def test_bad_rosters(data):
    with pytest.raises(RosterError):
        read_roster(data)


@pytest.mark.parametrize(
    ("given", "did"),
    [
        ("example.org", "did:web:example.org"),
        ("example.org:issuers:1", "did:web:example.org:issuers:1"),
        ("example.org/issuers/1", "did:web:example.org:issuers:1"),
        ("https://example.org/issuers/1/", "did:web:example.org:issuers:1"),
        ("example.org:8443", "did:web:example.org%3A8443"),
        ("example.org:8443/u", "did:web:example.org%3A8443:u"),
    ],
)
def test_did_web_from_host(given, did):
    from vc.did import did_web_url
    from wallet.home import did_web_from_host

    assert did_web_from_host(given) == did
    assert did_web_url(did).startswith("https://example.org")


# --- issue 12: friendly input, and never signing what laurel would refuse ----------------------

RUBRIC_WITHOUT_IDS = {
    "name": "Formative Assessment",
    "description": "Uses exit tickets.",
    "criteria": "Three lesson plans.",
    "resultDescription": [
        {
            "name": "Rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [{"name": "Developing"}, {"name": "Proficient"}],
        }
    ],
}


def test_rubric_levels_without_ids_get_stable_ids_never_null(tmp_wallet):
    achievement = load_achievement(json.dumps(RUBRIC_WITHOUT_IDS).encode())
    again = load_achievement(json.dumps(RUBRIC_WITHOUT_IDS).encode())
    assert achievement == again
    level_ids = [
        level["id"] for level in achievement["resultDescription"][0]["rubricCriterionLevel"]
    ]
    assert len(set(level_ids)) == 2
    assert all(i.startswith("urn:uuid:") for i in level_ids)
    stored = issue_badge(
        tmp_wallet, PASSPHRASE, achievement, HOLDER, IssueOptions(now=NOW, result="PROFICIENT")
    )
    result = stored.document["credentialSubject"]["result"][0]
    assert result["achievedLevel"] == level_ids[1]
    assert result["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert verify(stored.document, LATER).verified


def test_an_unknown_result_lists_the_levels(tmp_wallet):
    with pytest.raises(AchievementError, match="the levels are: developing, proficient"):
        issue_badge(
            tmp_wallet, PASSPHRASE, _achievement(), HOLDER, IssueOptions(now=NOW, result="expert")
        )


def test_a_misspelled_achievement_member_is_refused_before_signing(tmp_wallet):
    data = dict(ACHIEVEMENT)
    data["tags"] = data.pop("tag")
    with pytest.raises(IssuanceRefusedError) as refused:
        issue_badge(
            tmp_wallet,
            PASSPHRASE,
            load_achievement(json.dumps(data).encode()),
            HOLDER,
            IssueOptions(now=NOW),
        )
    (problem,) = refused.value.problems
    assert problem.details["path"] == "credentialSubject.achievement.tags"
    assert "did you mean 'tag'?" in problem.message
    assert tmp_wallet.store.count_credentials() == 0


def test_a_past_valid_until_is_refused():
    with pytest.raises(ValueError, match="not after now"):
        IssueOptions(now=NOW, valid_until="2020-01-01T00:00:00Z")


def test_the_injected_verifier_sees_each_badge_and_each_roster_chunk(tmp_wallet, tmp_path):
    from verifier.issued import verify_issued

    seen = []

    def check(document, *, did_document, now):
        seen.append(document["id"])
        return verify_issued(document, did_document=did_document, now=now)

    options = IssueOptions(now=NOW, check=check)
    stored = issue_badge(tmp_wallet, PASSPHRASE, _achievement(), HOLDER, options)
    report = issue_roster(
        tmp_wallet,
        PASSPHRASE,
        _achievement(),
        read_roster(_roster(5)),
        tmp_path / "o",
        options,
        chunk_size=2,
    )
    assert report.issued == 5
    assert seen[0] == stored.id
    # The single badge, then the first badge of each of the three chunks; the others'
    # signatures are verified with the wallet's key (they differ only in what laurel writes).
    assert len(seen) == 4


def test_every_bad_roster_row_is_reported_in_one_run():
    data = (
        "name,email,did\n"
        "José,jose@school.example,\n"
        "Zhang,,did:key:zBAD\n"
        "Ana,not-an-email,\n"
        "Bo,,\n"
        "José again,JOSE@school.example,\n"
        "Eve,eve@school.example,did:nope\n"
        "Too,many@school.example,,fields\n"
    ).encode()
    with pytest.raises(RosterError) as caught:
        read_roster(data)
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "did"),
        (4, "email"),
        (5, "email"),
        (6, "email"),
        (7, "did"),
        (8, ""),
    ]
    assert "line 6, column email: the same recipient as line 2" in caught.value.lines()


def test_a_dry_run_checks_everything_and_signs_nothing(tmp_wallet, tmp_path):
    rows = read_roster(_roster(4))
    plan = plan_roster(tmp_wallet, _achievement(), rows, IssueOptions(now=NOW))
    assert (plan.to_issue, plan.already_issued) == (4, 0)
    assert tmp_wallet.store.count_credentials() == 0
    data = dict(ACHIEVEMENT)
    data["tags"] = data.pop("tag")
    with pytest.raises(IssuanceRefusedError):
        plan_roster(
            tmp_wallet, load_achievement(json.dumps(data).encode()), rows, IssueOptions(now=NOW)
        )


def test_a_refused_roster_signs_no_row(tmp_wallet, tmp_path):
    data = dict(ACHIEVEMENT)
    data["tags"] = data.pop("tag")
    with pytest.raises(IssuanceRefusedError):
        issue_roster(
            tmp_wallet,
            PASSPHRASE,
            load_achievement(json.dumps(data).encode()),
            read_roster(_roster(3)),
            tmp_path / "out",
            IssueOptions(now=NOW),
        )
    assert tmp_wallet.store.count_credentials() == 0
    assert not (tmp_path / "out").exists()


def test_names_are_kept_only_when_asked_and_file_names_stay_readable(tmp_wallet, tmp_path):
    data = "name,email\nJosé Müller,jose@school.example\n张伟,zhang@school.example\n../etc/passwd,x@school.example\n"
    rows = read_roster(data.encode())
    out = tmp_path / "named"
    issue_roster(
        tmp_wallet,
        PASSPHRASE,
        _achievement(),
        rows,
        out,
        IssueOptions(now=NOW, include_name=True),
    )
    files = sorted(p.name for p in out.iterdir())
    assert files == ["00002-josé-müller.json", "00003-张伟.json", "00004-etc-passwd.json"]
    names = [json.loads((out / f).read_text())["credentialSubject"]["name"] for f in files]
    assert names == ["José Müller", "张伟", "../etc/passwd"]
    plain = tmp_path / "plain"
    other = read_roster(b"name,email\nJos\xc3\xa9,jose2@school.example\n")
    issue_roster(tmp_wallet, PASSPHRASE, _achievement(), other, plain, IssueOptions(now=NOW))
    (only,) = plain.iterdir()
    assert "name" not in json.loads(only.read_text())["credentialSubject"]
