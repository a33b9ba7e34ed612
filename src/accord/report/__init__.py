"""Reports: plots (and, later, HTML) drawn from result data."""
