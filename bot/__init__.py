"""Cap Num: French guidance assistant towards short digital trainings."""
