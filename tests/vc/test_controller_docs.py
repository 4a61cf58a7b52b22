"""https:// verification methods: believed only from the issuer's own documents."""

from __future__ import annotations

import pytest

from tests.builders import JsonWeb
from vc.controller_docs import resolve_https_method
from vc.errors import DidResolutionError
from vc.keys import Ed25519KeyPair

KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
MALLORY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
ISSUER = "https://school.example/issuers/1"


def method(vm_id: str, key: Ed25519KeyPair = KEY, controller: str = ISSUER) -> dict:
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": key.public_key.multibase,
    }


def test_key_listed_in_the_issuers_profile_on_its_origin():
    web = JsonWeb({ISSUER: {"id": ISSUER, "verificationMethod": [method("#key-1")]}})
    found = resolve_https_method(f"{ISSUER}#key-1", issuer=ISSUER, fetch=web)
    assert found.public_key == KEY.public_key
    assert web.requests == [ISSUER]


def test_key_document_of_its_own():
    vm = "https://school.example/keys/1"
    web = JsonWeb({vm: method(vm)})
    assert resolve_https_method(vm, issuer=ISSUER, fetch=web).public_key == KEY.public_key


def test_a_key_spelled_in_the_fragment_is_not_believed():
    # 1EdTech's convention `https://issuer#z6Mk...`: anyone can write their own key there.
    vm = f"{ISSUER}#{MALLORY.public_key.multibase}"
    web = JsonWeb({ISSUER: {"id": ISSUER, "verificationMethod": [method("#key-1")]}})
    with pytest.raises(DidResolutionError) as exc:
        resolve_https_method(vm, issuer=ISSUER, fetch=web)
    assert exc.value.code == "notFound"


def test_key_on_another_site_needs_the_issuers_profile_to_list_it():
    vm = "https://keys.example/k#1"
    pages = {ISSUER: {"id": ISSUER}, "https://keys.example/k": {"verificationMethod": [method(vm)]}}
    with pytest.raises(DidResolutionError) as exc:
        resolve_https_method(vm, issuer=ISSUER, fetch=JsonWeb(pages))
    assert exc.value.code == "invalidDidDocument"
    pages[ISSUER] = {"id": ISSUER, "assertionMethod": [vm]}
    assert (
        resolve_https_method(vm, issuer=ISSUER, fetch=JsonWeb(pages)).public_key == KEY.public_key
    )


def test_key_controlled_by_someone_else_is_refused():
    web = JsonWeb(
        {
            ISSUER: {
                "id": ISSUER,
                "verificationMethod": [method("#k", controller="https://evil.example/")],
            }
        }
    )
    with pytest.raises(DidResolutionError) as exc:
        resolve_https_method(f"{ISSUER}#k", issuer=ISSUER, fetch=web)
    assert exc.value.code == "invalidDidDocument"


@pytest.mark.parametrize(
    "vm",
    [
        "http://school.example/issuers/1#k",
        "https://user:pw@school.example/k#1",
        "ftp://x/k",
        "https:///k",
    ],
)
def test_only_https_urls_without_credentials(vm):
    web = JsonWeb({})
    with pytest.raises(DidResolutionError) as exc:
        resolve_https_method(vm, issuer=ISSUER, fetch=web)
    assert exc.value.code == "invalidDidUrl"
    assert web.requests == []


def test_unreachable_document_is_named():
    with pytest.raises(DidResolutionError) as exc:
        resolve_https_method(f"{ISSUER}#k", issuer=ISSUER, fetch=JsonWeb({}))
    assert exc.value.code == "notFound"
