from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """?limit=&offset= pages of at most 1000 rows (100 by default)."""

    max_limit = 1000
