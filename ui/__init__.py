"""laurel for people: languages, names and badge cards, shared by the page, the CLI and the wallet.

    >>> from ui.i18n import Locale
    >>> from ui.names import issuer_name
    >>> issuer_name("did:web:lakeshore.example").text
    'lakeshore.example'
    >>> Locale("es", "es_MX").gettext.gettext("Verified")
    'Verificada'

`ui` depends on `vc` only; `verifier`, `wallet` and the CLI use it
(`verifier -> ui -> vc`, `wallet -> ui -> vc`).
"""
