"""A command of ``rawnl``: its name, help, arguments and what it runs (see ``COMMANDS`` in
:mod:`rawnl.cli.main`, where each is one line)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

__all__ = ["Command"]


@dataclass(frozen=True)
class Command:
    """``rawnl NAME ...``: ``configure`` adds its arguments, ``run`` does it and returns the exit
    status (a :class:`rawnl.CommandError` becomes one line on stderr and status 1)."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    aliases: tuple[str, ...] = ()
