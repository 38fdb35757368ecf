"""Forms for the records of a network: network, charter, sites and members, aims; read-only summaries."""
