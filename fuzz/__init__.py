"""Coverage-guided fuzzing (atheris, libFuzzer) of every parser of untrusted bytes.

    python -m fuzz.run --list
    python -m fuzz.run jsontext --minutes 10

A target is one file in ``fuzz/targets/``: it defines ``fuzz(data: bytes)``, the
exceptions the parser is allowed to raise (``EXPECTED``: its named refusals) and
``seeds()`` (valid inputs to start from). Anything else raised is a finding: the
input is saved under ``.fuzz/<target>/crashes/`` and becomes a regression test in
``tests/fuzz/``.
"""
