"""Anonymous statistics: records, queries, charts and the map of unmet demand."""
