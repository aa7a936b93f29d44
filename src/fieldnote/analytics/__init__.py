"""Analytics over the event store: trends, funnels, segments (``overview``: the overview page)."""
