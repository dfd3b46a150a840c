"""The ``rawnl`` command (:mod:`~rawnl.cli.main`): iproute2's views per family
(:mod:`rawnl.cli.ip`), ``netns``, ``network`` (runc configs) and the demo."""
