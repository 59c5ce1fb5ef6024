"""Bank statement import (BIL-8): parse camt.053, ABO/GPC and CSV files, match payments by VS.

``parsed`` is what every parser returns, ``detect`` picks the parser, ``importer`` writes the
payments in one transaction, ``matching`` decides whose payment it is, ``unmatched`` lists and
assigns the rest. Nothing here imports Textual; the import screen passes a progress callback.
"""
