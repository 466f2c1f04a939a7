"""Audio -> mouth shape track -> rendered frames."""
