"""Shared fixtures."""

import pytest


@pytest.fixture(scope="module")
def js(request):
    """A V8 context (mini-racer) that has run the test module's ``SCRIPT``: one of the book's
    in-browser scripts in ``_static/``, tested against the package without a browser."""
    from py_mini_racer import MiniRacer

    context = MiniRacer()
    context.eval(request.module.SCRIPT.read_text())
    return context
