"""Quotetrail: quotation attribution database."""
