"""Face landmarks (mediapipe face mesh), pose normalisation, mouth shape space."""
