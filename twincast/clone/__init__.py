"""Building a clone from footage: tracking, mouth library, audio model, base loop, report."""
