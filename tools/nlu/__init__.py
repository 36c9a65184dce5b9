"""NLU measures on the held-out and development sets (`python -m tools nlu ...`)."""
