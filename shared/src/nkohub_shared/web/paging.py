"""Paging parameters with upper bounds: a fuzzer's 27-digit page must be a 422, never a 500
(MongoDB refuses a skip beyond 64 bits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PAGE_MAX = 100_000
OFFSET_MAX = 10_000_000

Page = Annotated[int, Query(ge=1, le=PAGE_MAX, description="page number, from 1")]
Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="items to skip")]
