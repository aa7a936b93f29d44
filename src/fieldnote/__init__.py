"""fieldnote: product events and qualitative research in one continuous-discovery loop."""

__version__ = "0.1.0"
__all__ = ["__version__"]
