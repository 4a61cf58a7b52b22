"""Fixtures for the format readers' tests."""

# The fetch guard's own loopback TLS server, PKI and connect spy, so the readers are
# tested behind the real guard (verifier.fetch.Fetcher), as the pipeline will run them.
from tests.verifier.test_fetch import client_tls, connects, pki, server  # noqa: F401
