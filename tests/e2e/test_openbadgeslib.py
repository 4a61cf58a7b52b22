"""Two-way interoperability with openbadgeslib, a real third-party implementation (issue #13).

openbadgeslib is installed into a THROWAWAY venv (never laurel's), offline, from the wheels
`scripts/interop-tools` downloads into .tools/wheels (scripts/test runs it first). A
missing wheel is a failure with that instruction, never a skip. openbadgeslib issues
every kind of badge it can and laurel's library verifies them; laurel's badges go the
other way and openbadgeslib's verifiers judge them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.builders import ISSUER, badge, unsigned_badge
from tests.vc.formats import corpus
from vc.baking import unbake_all
from vc.did import DidResolver
from vc.formats.jwt import sign_jwt, verify_jwt
from vc.formats.ob2 import verify_ob2

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WHEELS = REPO / ".tools" / "wheels"
PEER = Path(__file__).with_name("openbadgeslib_peer.py")
PIN = "openbadgeslib[ldp]==4.6.3"


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh venv holding openbadgeslib, installed offline."""
    if not any(WHEELS.glob("openbadgeslib-*.whl")):
        pytest.fail(
            "openbadgeslib's wheels are missing: run scripts/interop-tools (scripts/test does)"
        )
    home = tmp_path_factory.mktemp("openbadgeslib-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-index",
            "--find-links",
            str(WHEELS),
            PIN,
        ],
        check=True,
        timeout=300,
    )
    return python


def _run(python: Path, *args: str) -> str:
    done = subprocess.run(
        [str(python), str(PEER), *args], check=True, capture_output=True, text=True, timeout=300
    )
    return done.stdout


def _issued(peer: Path, tmp_path: Path) -> tuple[dict, dict[str, bytes]]:
    """openbadgeslib's badges issued into `tmp_path`: their meta.json, and their site's pages."""
    _run(peer, "issue", str(tmp_path))
    meta = json.loads((tmp_path / "meta.json").read_text())
    pages = {
        f"{meta['site']}/{p.relative_to(tmp_path / 'web').as_posix()}": p.read_bytes()
        for p in (tmp_path / "web").rglob("*")
        if p.is_file()
    }
    return meta, pages


def _verdict(path: Path, meta: dict, web: corpus.OfflineWeb) -> corpus.Verdict:
    texts = (
        [p.text for p in unbake_all(path.read_bytes())]
        if path.suffix in (".png", ".svg")
        else [path.read_text()]
    )
    assert len(texts) == 1, path.name
    text = texts[0]
    if path.name in meta["issuer_jwks"]:
        # The pipeline passes the keys it read from the issuer's https profile.
        result = verify_jwt(
            text, resolver=DidResolver(), now=corpus.NOW, issuer_jwks=meta["issuer_jwks"][path.name]
        )
        return corpus.Verdict([*result.checks, *corpus.check_schema(result.credential or {})])
    if path.name.startswith("ob2-"):
        document = json.loads(text) if text.lstrip().startswith("{") else text.strip()
        result = verify_ob2(document, fetch=web, now=corpus.NOW, recipient=meta["email"])
        return corpus.Verdict(list(result.checks))
    return corpus.verify_text(text, web)


def test_openbadgeslib_badges_verify_in_laurel(peer: Path, tmp_path: Path) -> None:
    meta, pages = _issued(peer, tmp_path)
    web = corpus.OfflineWeb(pages)
    verdicts = {
        p.name: _verdict(p, meta, web).text()
        for p in sorted(tmp_path.iterdir())
        if p.is_file() and p.name != "meta.json"
    }
    expected = {name: "verified" for name in verdicts}
    expected["ob3-revoked.jwt"] = "not verified: status.revoked"
    assert verdicts == expected
    assert sorted(verdicts) == [
        "ob2-hosted.json", "ob2-signed.jws", "ob2-signed.png", "ob2-signed.svg",
        "ob3-active.jwt", "ob3-eddsa.jwt", "ob3-es256.jwt", "ob3-jwt.png", "ob3-jwt.svg",
        "ob3-ldp.json", "ob3-ldp.png", "ob3-ldp.svg", "ob3-revoked.jwt", "ob3-rs256.jwt",
    ]  # fmt: skip


def test_openbadgeslib_badges_verify_through_the_pipeline(peer: Path, tmp_path: Path) -> None:
    # What `laurel verify` does with each file: documents_in, then verify_bytes, the
    # corpus web answering as the fetch guard does. openbadgeslib does not publish its
    # RS256 issuer's profile; the issuer's own document naming its key is served here
    # (laurel believes a header key only from the issuer's documents, SECURITY J02).
    from tests.verifier.corpus_pipeline import verdict_text
    from vc.errors import LaurelError
    from verifier import VerificationPolicy, verify_bytes
    from verifier.errors import FetchFailedError
    from verifier.fetched import FetchedDocument
    from verifier.sources import documents_in
    from verifier.status import StatusChecker

    meta, pages = _issued(peer, tmp_path)
    profile = f"{meta['site']}/profile"
    (jwk,) = meta["issuer_jwks"]["ob3-rs256.jwt"]
    pages[profile] = json.dumps(
        {
            "id": profile,
            "type": ["Profile"],
            "verificationMethod": [
                {"id": f"{profile}#rsa", "type": "JsonWebKey", "controller": profile,
                 "publicKeyJwk": jwk}
            ],
            "assertionMethod": [f"{profile}#rsa"],
        }
    ).encode()  # fmt: skip
    web = corpus.OfflineWeb(pages)

    def guarded(url: str) -> bytes:
        try:
            return web(url)
        except LaurelError as exc:
            raise FetchFailedError(exc.message) from exc

    def fetch(url: str, **_: object) -> FetchedDocument:
        return FetchedDocument(url, 200, "application/json", guarded(url))

    resolver = DidResolver(web_fetcher=guarded)
    verdicts = {}
    for path in sorted(tmp_path.iterdir()):
        if not path.is_file() or path.name == "meta.json":
            continue
        # Its OB 2.0 badges name the earner by a hashed email, its OB 3.0 ones by a DID.
        earner = meta["email"] if path.name.startswith("ob2-") else "did:example:ana"
        policy = VerificationPolicy(now=corpus.NOW, recipient=earner)
        results = [
            verify_bytes(
                data, policy, resolver=resolver, status_checker=StatusChecker(fetch, resolver)
            )
            for _, data in documents_in(path.read_bytes())
        ]
        verdicts[path.name] = verdict_text(results)
    expected = {name: "verified" for name in verdicts}
    expected["ob3-revoked.jwt"] = "not verified: status.revoked"
    assert verdicts == expected
    assert len(verdicts) == 14


def test_openbadgeslib_ob2_badge_for_another_recipient_is_refused(
    peer: Path, tmp_path: Path
) -> None:
    _, pages = _issued(peer, tmp_path)
    token = (tmp_path / "ob2-signed.jws").read_text()
    result = verify_ob2(
        token, fetch=corpus.OfflineWeb(pages), now=corpus.NOW, recipient="eve@school.example"
    )
    assert result.failures() == ("presentation.recipient_mismatch",)


def test_laurel_badges_verify_in_openbadgeslib(peer: Path, tmp_path: Path) -> None:
    (tmp_path / "laurel-rdfc.json").write_text(json.dumps(badge()))
    (tmp_path / "laurel-jcs.json").write_text(json.dumps(badge("eddsa-jcs-2022")))
    (tmp_path / "laurel.jwt").write_text(sign_jwt(unsigned_badge(), ISSUER.key, ISSUER.vm))
    results = json.loads(_run(peer, "verify", str(tmp_path)))
    assert results["laurel-rdfc.json"] == "ok"
    assert results["laurel.jwt"] == "ok"
    # openbadgeslib verifies eddsa-rdfc-2022 and ecdsa-sd-2023 only: laurel's JCS badges
    # are refused there by name (laurel issues rdfc by default).
    assert "eddsa-jcs-2022" in results["laurel-jcs.json"]


def test_the_peer_is_never_in_laurels_environment() -> None:
    with pytest.raises(ModuleNotFoundError):
        __import__("openbadgeslib")
    assert "openbadgeslib" not in (REPO / "pyproject.toml").read_text()
    assert sys.prefix != ""
