"""Running newswatch as a long-lived service: supervised stages, reload, probes, logging.

``app.run()`` wires the stage factories into :class:`Service`; the CLI installs the signal
handlers and the log format.
"""

from newswatch.service.logs import setup_logging
from newswatch.service.runner import Service, run_service
from newswatch.service.signals import install as install_signals

__all__ = ["Service", "install_signals", "run_service", "setup_logging"]
