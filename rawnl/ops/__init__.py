"""The operations: input validation (:mod:`~rawnl.ops.validate`), per family the request
builders, the typed result and the operations (:mod:`~rawnl.ops.links`,
:mod:`~rawnl.ops.link_kinds`, :mod:`~rawnl.ops.addresses`, :mod:`~rawnl.ops.routes`), and the
facade that gathers them (:mod:`~rawnl.ops.iproute`: :class:`rawnl.IPRoute`, batches, monitor).
Imports only :mod:`rawnl.wire` and :mod:`rawnl.engine`."""
