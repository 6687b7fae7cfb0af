"""Exports, calendar feeds, imports and webhooks for other systems."""
