"""detlint: keeps Temporal workflows deterministic, at commit time."""

__version__ = "0.1.0"
