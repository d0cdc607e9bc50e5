"""xlscorecard: recompute RAG and direction of travel on council performance scorecards."""

__version__ = "0.1.0"
