"""Emotion scoring."""
