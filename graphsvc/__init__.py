"""graphsvc: a GraphQL knowledge-graph service for news corpora."""

__version__ = "0.1.0"
