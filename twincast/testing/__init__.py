"""Test helpers that ship with the package (synthetic footage with exact ground truth)."""
