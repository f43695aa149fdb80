"""Names for what the sync decided about an order and what came of it."""

# Decisions (compare step)
TO_CANCEL = "to_cancel"
ALREADY_CANCELLED = "already_cancelled"
CANNOT_CANCEL = "cannot_cancel"
NOT_FOUND = "not_found"
INVALID_LINK = "invalid_link"
DUPLICATE_LINK = "duplicate_link"

# Outcomes (cancel step) beyond the skip decisions above
CANCELLED = "cancelled"
WOULD_CANCEL = "would_cancel"  # dry run, or the cancel toggle is off
FAILED = "failed"

SKIP_DECISIONS = (ALREADY_CANCELLED, CANNOT_CANCEL, NOT_FOUND, INVALID_LINK, DUPLICATE_LINK)
