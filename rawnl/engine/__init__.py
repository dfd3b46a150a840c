"""The engine: the netlink socket (:mod:`~rawnl.engine.socket`: requests, dumps, batches,
events) and network namespaces (:mod:`~rawnl.engine.netns`, with the compiled ``_nsffi``
module that wraps ``setns``/``unshare``/``mount``/``umount2``).  Imports only :mod:`rawnl.wire`."""
