"""Shared fixtures. Qt runs offscreen so the tests need no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chainview.core import Session, example_path  # noqa: E402
from chainview.core.netfile import load_net  # noqa: E402


@pytest.fixture
def default_net():
    return load_net(example_path("default"))


@pytest.fixture
def example_net():
    """load_net by example name: example_net('relu-regression')."""
    return lambda name: load_net(example_path(name))


@pytest.fixture
def session(default_net):
    return Session(default_net)
