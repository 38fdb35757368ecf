"""PDSA cycles: the cycle page (Plan, Do, Study, Act) and the ramp and list overviews."""
