"""Baked SVGs: parsed safely, their Open Badges elements found, a credential element added.

Open Badges 3.0 bakes one ``<openbadges:credential>`` element (namespace
``https://purl.imsglobal.org/ob/v3p0``) under the root ``<svg>``; Open Badges 2.0 (read
only) an ``<openbadges:assertion>`` element (namespace ``http://openbadges.org``) whose
text is the assertion or whose ``verify`` attribute is its URL or signature. SVGs are
parsed by defusedxml with DTDs, entities and external references forbidden; baking
inserts the element and keeps every other byte.
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from vc._baking_error import BakingError, _check_size, only_credential

__all__ = ["OB_NAMESPACE", "OB2_NAMESPACE", "SVG_NAMESPACE", "bake_svg", "unbake_svg"]

OB_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
"""The XML namespace of the ``<openbadges:credential>`` element of a baked SVG."""
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
OB2_NAMESPACE: Final = "http://openbadges.org"
"""The XML namespace of the ``<openbadges:assertion>`` element of an OB 2.0 baked SVG."""

_CREDENTIAL_TAG: Final = f"{{{OB_NAMESPACE}}}credential"
_ASSERTION_TAG: Final = f"{{{OB2_NAMESPACE}}}assertion"


# A document type declaration with no internal subset, as SVG editors write
# (`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://...svg11.dtd">`): it declares
# nothing, and the external DTD is never loaded, so it is allowed. Any internal subset
# (entities, attribute defaults) is refused (SECURITY Q07).
_PLAIN_DOCTYPE: Final = re.compile(
    rb"<!DOCTYPE\s+svg(?:\s+PUBLIC\s+\"[^\"<>\[\]]*\"\s+\"[^\"<>\[\]]*\")?\s*>"
)


def _parse_svg(svg: bytes) -> Element:
    _check_size(svg)
    head = svg[: svg.find(b"<svg")] if b"<svg" in svg else svg
    plain = b"<!DOCTYPE" in head and _PLAIN_DOCTYPE.search(head) is not None
    plain = plain and head.count(b"<!") == 1 + head.count(b"<!--")
    try:
        root: Element = defusedxml.ElementTree.fromstring(
            svg, forbid_dtd=not plain, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise BakingError(
            f"the SVG uses a forbidden XML feature ({type(exc).__name__})", code="unsafe_xml"
        ) from exc
    except ParseError as exc:
        raise BakingError(f"the SVG is not well-formed XML: {exc}", code="not_svg") from exc
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise BakingError("the XML root element is not <svg>", code="not_svg")
    return root


def _credential_elements(root: Element) -> list[Element]:
    return list(root.iter(_CREDENTIAL_TAG))


# The root start tag: a name, then attributes whose quoted values may hold '>' or '/'.
_START_TAG: Final = re.compile(
    r"<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_PROLOG_ITEM: Final = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_OB_PREFIX: Final = re.compile(r"\sxmlns:openbadges\s*=\s*([\"'])(.*?)\1", re.DOTALL)


# XML 1.0, "Characters": Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, credential_json: str) -> bytes:
    """Return `svg` with `credential_json` in an ``<openbadges:credential>`` element.

    The namespace is declared on the root ``<svg>`` and the element, holding the JSON in
    a CDATA section, is its first child; the rest of the document is kept byte for byte.

    Raises:
        BakingError: the input is not a UTF-8 SVG (``not_svg``), uses DTDs or entities
            (``unsafe_xml``) or already carries a credential (``already_baked``), or the
            text holds a character XML cannot carry (``not_xml_text``).
    """
    bad = _NOT_XML_CHAR.search(credential_json)
    if bad is not None:
        # Baked, it would make an SVG no XML parser (laurel's included) can read back.
        raise BakingError(
            f"the credential text holds U+{ord(bad.group()):04X}, which XML cannot carry",
            code="not_xml_text",
        )
    root = _parse_svg(svg)
    if _credential_elements(root):
        raise BakingError("the SVG already carries a credential", code="already_baked")
    try:
        text = svg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("only UTF-8 SVGs can be baked", code="not_svg") from exc
    pos = 1 if text.startswith("\ufeff") else 0
    while match := _PROLOG_ITEM.match(text, pos):
        pos = match.end()
    tag = _START_TAG.match(text, pos)
    if tag is None:
        raise BakingError("the SVG root start tag cannot be located", code="not_svg")
    name, attributes, empty = tag.group(1), tag.group(2), tag.group(3)
    declared = _OB_PREFIX.search(attributes)
    if declared is not None and declared.group(2) != OB_NAMESPACE:
        raise BakingError(
            "the SVG binds the openbadges prefix to another namespace", code="not_svg"
        )
    if declared is None:
        attributes += f' xmlns:openbadges="{OB_NAMESPACE}"'
    element = f"<openbadges:credential>{_cdata(credential_json)}</openbadges:credential>"
    opening = f"<{name}{attributes}>"
    inserted = opening + element + (f"</{name}>" if empty else "")
    return (text[:pos] + inserted + text[tag.end() :]).encode("utf-8")


def unbake_svg(svg: bytes) -> str:
    """Return the credential text of an SVG's one ``<openbadges:credential>`` element.

    Nothing else in the document is looked at: scripts are not run, links not followed.

    Raises:
        BakingError: the SVG is too large, malformed, uses DTDs, entities or external
            references (``unsafe_xml``), or has no credential element (``not_baked``)
            or several (``ambiguous``).
    """
    root = _parse_svg(svg)
    found = _credential_elements(root)
    has_ob2 = next(root.iter(_ASSERTION_TAG), None) is not None
    return _svg_payload_text(only_credential(found, has_ob2, "SVG"))


def _svg_payload_text(element: Element) -> str:
    if len(element):
        raise BakingError("the credential element holds markup, not text", code="malformed")
    text = (element.text or "").strip()
    verify = (element.get("verify") or "").strip()
    if not text and not verify:
        raise BakingError("the credential element is empty", code="malformed")
    # OB 3.0 and OB 2.0, "Baking": the text is the credential (JSON); a VC-JWT (OB 3.0)
    # or an OB 2.0 signed assertion or hosted URL sits in `verify`, and stands in for
    # the text when the element is empty.
    if text and verify and not text.startswith("{") and text != verify:
        raise BakingError("the assertion element's text and verify disagree", code="ambiguous")
    return text or verify
