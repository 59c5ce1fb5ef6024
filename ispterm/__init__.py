"""ispterm: the ISP operator's terminal console. Nothing heavy is imported here."""

__version__ = "0.1.0"
