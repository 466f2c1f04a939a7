"""Consent, labels (visible and implicit), audit."""
