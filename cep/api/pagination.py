from rest_framework.pagination import CursorPagination


class KeysetCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: constant cost on the last page as on the first."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
