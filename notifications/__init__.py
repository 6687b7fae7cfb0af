"""In-app inbox and email notifications with per-user preferences and digests."""
