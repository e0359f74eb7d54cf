"""livret: private booklets and encrypted synthesis documents for bilans de compétences."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("livret")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
