"""rawnl's version, in one place (the package, the command's ``--version`` and the build read it)."""

__version__ = "0.1.0"
