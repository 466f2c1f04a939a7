"""Live commerce: the catalogue, grounded answers, the ad-law guard, the run-of-show."""
