"""The coordinator's Network view: small multiples, funnel and caterpillar, matrix, bright spots."""
