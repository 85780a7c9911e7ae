"""Waves, responses and their answers: what the web app stores of the assessment."""
