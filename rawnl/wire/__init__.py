"""The sans-I/O codec: kernel numbers (:mod:`~rawnl.wire.uapi`), the TLV engine
(:mod:`~rawnl.wire.codec`), messages (:mod:`~rawnl.wire.message`), one module per family
(:mod:`~rawnl.wire.link`, :mod:`~rawnl.wire.address`, :mod:`~rawnl.wire.route`) and per link kind
(:mod:`rawnl.wire.kinds`), and the registry of both (:mod:`~rawnl.wire.registry`).

Nothing here does I/O; nothing here imports from the layers above (engine, ops, runc, cli).
"""
