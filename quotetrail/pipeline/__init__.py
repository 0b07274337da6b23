"""Pure domain code: text -> quotations -> speakers -> matches -> verdicts. No web, no SQL."""
