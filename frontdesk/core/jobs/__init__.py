"""Background jobs: task discovery, periodic jobs with leases, and what ran when."""
