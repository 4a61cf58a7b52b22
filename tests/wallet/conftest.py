from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.home import Wallet
from wallet.keystore import KdfParams

PASSPHRASE = "correct horse battery staple"

ACHIEVEMENT = {
    "name": "Formative Assessment in Practice",
    "description": "Designs and uses formative assessment to adjust instruction.",
    "criteria": {"narrative": "Three annotated lesson plans scored on the district rubric."},
    "image": {"id": "https://riverside.example/badges/formative.png", "type": "Image"},
    "tag": ["assessment", "pedagogy"],
    "resultDescription": [
        {
            "id": "urn:uuid:rubric-1",
            "type": ["ResultDescription"],
            "name": "District formative assessment rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": "urn:uuid:level-developing",
                    "type": ["RubricCriterionLevel"],
                    "name": "developing",
                },
                {
                    "id": "urn:uuid:level-proficient",
                    "type": ["RubricCriterionLevel"],
                    "name": "proficient",
                },
            ],
        }
    ],
}


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    """Run the block under the process umask `value`."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.for_tests()


@pytest.fixture
def tmp_wallet(tmp_path: Path, fast_kdf: KdfParams) -> Wallet:
    wallet = Wallet.create(
        tmp_path / "issuer", name="Riverside School District", passphrase=PASSPHRASE, kdf=fast_kdf
    )
    yield wallet
    wallet.close()


@pytest.fixture
def achievement_file(tmp_path: Path) -> Path:
    path = tmp_path / "achievement.json"
    path.write_text(json.dumps(ACHIEVEMENT), encoding="utf-8")
    return path
