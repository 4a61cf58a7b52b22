"""One module per fuzz target (see :mod:`fuzz`)."""
