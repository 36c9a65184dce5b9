"""Developer tools of Cap Num that are not part of the product (run with `python -m`)."""
