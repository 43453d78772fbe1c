"""Households (issue 17): matching delivered ads to site visits, listener signals and lift."""
