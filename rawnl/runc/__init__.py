"""runc's container networking over :class:`rawnl.IPRoute`: the network config
(:mod:`~rawnl.runc.config`) and libcontainer's ``loopback``/``veth`` strategies
(:mod:`~rawnl.runc.strategies`)."""
