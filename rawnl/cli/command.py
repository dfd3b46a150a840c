"""A command of ``rawnl``: its name, help, arguments and what it runs (see ``COMMANDS`` in
:mod:`rawnl.cli.main`, where each is one line)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

__all__ = ["Command", "invocation"]


@dataclass(frozen=True)
class Command:
    """``rawnl NAME ...``: ``configure`` adds its arguments, ``run`` does it and returns the exit
    status (a :class:`rawnl.CommandError` becomes one line on stderr and status 1)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    aliases: tuple[str, ...] = ()


def invocation() -> list[str]:
    """The command that runs ``rawnl`` as this process was run, for messages that say what to
    type next (``sudo ... demo``): the ``rawnl`` script by its absolute path when that is what ran
    (``sudo`` may not search the same PATH), else this interpreter with ``-m rawnl``."""
    script = sys.argv[0] if sys.argv else ""
    if os.path.basename(script) == "rawnl" and os.path.isfile(script):
        return [os.path.abspath(script)]
    return [sys.executable or "python3", "-m", "rawnl"]
