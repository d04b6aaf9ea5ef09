"""``graphsvc serve``: run the GraphQL service (placeholder until the web app lands)."""

from __future__ import annotations
