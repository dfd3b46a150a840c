"""iproute2's views, one module per family: its ``ip -j`` shapes and text, its ``show``
command, and how ``rawnl monitor`` prints its events."""
