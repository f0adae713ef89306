"""Benchmarks: dataset generators and measured scenarios. Run them with `frontdesk bench <scenario>`."""
