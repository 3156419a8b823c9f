"""The web dashboard: server-rendered pages for the park operator, firms, auditors, exporters and buyers."""

from .dashboard import install_dashboard

__all__ = ["install_dashboard"]
