"""The HTTP API: FastAPI routers over the service and the database (see app.create_app)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quotetrail")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
