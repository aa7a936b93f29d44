"""A synthetic SaaS product with a planted problem, for ``fieldnote demo``."""
