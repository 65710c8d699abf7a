"""newsweave: collect, understand and serve the news from the sources you choose."""

__version__ = "0.1.0"
__all__ = ["__version__"]
