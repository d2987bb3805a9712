"""API pagination with bounds: a maximum page size, and page/offset past what any list holds
answered 422 instead of reaching the database as an integer it cannot take."""

from ninja import Field, Schema
from ninja import pagination as ninja_pagination

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_OFFSET = MAX_PAGE * MAX_PAGE_SIZE


class LimitOffsetPagination(ninja_pagination.LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PageNumberPagination(ninja_pagination.PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
