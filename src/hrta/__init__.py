"""hrta: harm-reduction technical assistance needs assessment, analysis and planning."""

__version__ = "0.1.0"
