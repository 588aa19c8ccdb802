"""composefix: make Docker Compose projects portable between Linux Docker Engine and VM-backed engines."""

__version__ = "0.1.0"
