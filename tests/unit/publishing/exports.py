"""Blogger exports made up for a test: ordinary ones, and hostile ones."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n"
FEED = "<feed xmlns='http://www.w3.org/2005/Atom'>"
KIND_POST = (
    "<category scheme='http://schemas.google.com/g/2005#kind'"
    " term='http://schemas.google.com/blogger/2008/kind#post'/>"
)


def entry(n: int, *, title: str = "", html: str = "<p>Текст.</p>", labels: tuple = ()) -> str:
    """A published post entry; ``title`` and ``html`` as Blogger holds them (text)."""
    cats = "".join(
        f"<category scheme='http://www.blogger.com/atom/ns#' term={quoteattr(x)}/>" for x in labels
    )
    return (
        f"<entry><id>tag:blogger.com,1999:blog-1.post-{9000 + n}</id>"
        "<published>2019-04-01T10:00:00.000+04:00</published>"
        f"{KIND_POST}{cats}<title type='text'>{escape(title or f'Запись {n}')}</title>"
        f"<content type='html'>{escape(html)}</content>"
        f"<link rel='alternate' type='text/html' href='https://old.blogspot.com/2019/04/p{n}.html'/>"
        "</entry>"
    )


def export(*entries: str) -> bytes:
    return (HEAD + FEED + "".join(entries) + "</feed>").encode()


def billion_laughs(encoding: str = "utf-8") -> bytes:
    """Ten levels of ten references each: 10⁹ "lol"s, 3 GB, if a parser expands them."""
    levels = ['<!ENTITY lol0 "lol">']
    for n in range(1, 10):
        refs = f"&lol{n - 1};" * 10
        levels.append(f'<!ENTITY lol{n} "{refs}">')
    dtd = f"<!DOCTYPE feed [{''.join(levels)}]>"
    head = f"<?xml version='1.0' encoding='{encoding}'?>\n"
    body = FEED + entry(1, title="&lol9;").replace("&amp;lol9;", "&lol9;") + "</feed>"
    return (head + dtd + body).encode(encoding)


def declared_entity(encoding: str, *, comment: int = 0) -> bytes:
    """A small, otherwise valid export whose title comes from an entity declared in a
    DOCTYPE, perhaps after a long comment."""
    dtd = '<!DOCTYPE feed [<!ENTITY t "Подменённый заголовок">]>'
    head = f"<?xml version='1.0' encoding='{encoding}'?>\n<!--{' ' * comment}-->"
    body = FEED + entry(1, title="&t;").replace("&amp;t;", "&t;") + "</feed>"
    return (head + dtd + body).encode(encoding)
