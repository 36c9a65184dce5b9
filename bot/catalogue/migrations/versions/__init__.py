"""Catalogue revisions, one file per revision, named after its revision id."""
