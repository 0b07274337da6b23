"""Storage: SQLModel tables, engine and sessions, migrations, data functions and the quote index.

The only package that speaks SQL. Data functions flush but never commit: the caller owns the
transaction (engine.session_scope), so an article and everything derived from it land together.
"""
