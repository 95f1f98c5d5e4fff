"""How much the service takes in: lengths of what staff and the public type, sizes and
counts of uploads, bounds of paging and of dates. Every length is checked before any
regular expression, parser or query sees the input."""

from __future__ import annotations

from datetime import date

from nkohub_shared.errors import DomainError

# what staff type
TITLE_MAX = 300  # a post's title, a competition's name, an attachment's title
BODY_MAX = 200_000  # characters of a post body (Markdown, or the old blog's HTML): ~200 KB
EXCERPT_MAX = 1000
TAG_MAX = 60
TAGS_MAX = 30
AUTHOR_MAX = 120
URL_MAX = 2000
NOTE_MAX = 5000  # descriptions, who may take part
SHORT_MAX = 300  # a region, an issuer
AMOUNT_MAX = 10**12  # roubles
ID_MAX = 100  # ids in paths (UUID hex, ``blogger-<digits>``)

# what the public sends
QUERY_MAX = 100  # ``/search?q=``
PAGE_MAX = 10_000  # ``?page=`` of listings
PATH_PART_MAX = 200  # a slug, a tag or an old blog address in a path

# staff paging
LIMIT_MAX = 200
OFFSET_MAX = 100_000

# dates staff and uploads give (a law of 1996 among them), far from the calendar's ends
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)

# the old blog's uploads
UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # the 2019 export of 260 posts is 240 KB
IMPORT_ENTRIES_MAX = 20_000  # <entry> elements of any kind (posts, comments, settings)
VIEW_ROWS_MAX = 200_000
VIEWS_PER_ROW_MAX = 1_000_000


class TooLarge(DomainError):
    """413: a file or a part of it is larger than the service takes."""

    status_code = 413
    code = "too_large"
