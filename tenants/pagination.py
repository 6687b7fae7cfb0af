from typing import Any

from rest_framework.pagination import LimitOffsetPagination

PAGE_FIELDS = {
    "count": "How many rows match the filters, on every page together.",
    "next": "The URL of the next page, or null on the last one.",
    "previous": "The URL of the previous page, or null on the first one.",
    "results": "The rows of this page.",
}


class Pagination(LimitOffsetPagination):
    """?limit=&offset= pages of at most 1000 rows (100 by default)."""

    max_limit = 1000

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's page schema, each member described."""
        page = super().get_paginated_response_schema(schema)
        for name, text in PAGE_FIELDS.items():
            page["properties"][name] = {**page["properties"][name], "description": text}
        return page
