"""The sign-in sheet and the name badges of a meetup as PDF (A4), with an embedded
DejaVu Sans (Debian's ``fonts-dejavu-core``; ``NKOHUB_PDF_FONT_DIR`` points elsewhere)
so that Russian text renders and survives text extraction."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from nkohub_events.domain.printouts import Heading, Person
from nkohub_shared.errors import DomainError

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MARGIN = 12.0  # mm
BADGE_COLUMNS, BADGE_ROWS = 2, 4  # eight badges of 93 x 68 mm on an A4 sheet
COLUMNS = (("№", 10), ("Фамилия, имя", 56), ("Организация", 50), ("Роль", 36), ("Подпись", 34))


class FontMissing(DomainError):
    """The PDF font is not installed on this machine (an operator's problem)."""

    status_code = 503
    code = "unavailable"


class _Paper(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"Стр. {self.page_no()} из {{nb}}", align=Align.C)


def _paper(font_dir: Path, *, title: str) -> FPDF:
    pdf = _Paper(orientation="portrait", unit="mm", format="A4")
    for style, name in FONT_FILES.items():
        path = font_dir / name
        if not path.is_file():
            raise FontMissing(
                f"the PDF font {path} is missing: install Debian's fonts-dejavu-core "
                "or set NKOHUB_PDF_FONT_DIR",
                field="pdf_font_dir",
            )
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(title)
    pdf.set_creator("nkohub")
    return pdf


def sign_in_sheet(
    heading: Heading, people: list[Person], *, blank_lines: int, font_dir: Path
) -> bytes:
    """The title, date and place, the consent text, a numbered line per expected person
    (with a ✓ column left for the signature) and ``blank_lines`` empty lines for walk-ins;
    the table's head repeats on every page."""
    pdf = _paper(font_dir, title=f"Лист регистрации: {heading.title}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 7, heading.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, f"Дата и время: {heading.when}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 5, f"Место: {heading.place}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, "Лист регистрации участников", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=7.5)
    pdf.multi_cell(
        0,
        3.6,
        f"Подписываясь, участник подтверждает согласие: {heading.consent}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=tuple(width for _, width in COLUMNS),
        line_height=5,
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"),
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        table.row([name for name, _ in COLUMNS])
        for number, person in enumerate(people, start=1):
            table.row([str(number), person.name, person.organization, person.role, ""])
        for number in range(len(people) + 1, len(people) + blank_lines + 1):
            table.row([str(number), "", "", "", ""])
    return bytes(pdf.output())


def badges(title: str, people: list[Person], *, font_dir: Path) -> bytes:
    """A badge per person (name, organization, role, and the meetup at the top), eight
    to an A4 sheet, with cutting lines."""
    pdf = _paper(font_dir, title=f"Бейджи: {title}")
    pdf.set_auto_page_break(auto=False)
    width = (pdf.w - 2 * MARGIN) / BADGE_COLUMNS
    height = (pdf.h - 2 * MARGIN - 6) / BADGE_ROWS
    per_page = BADGE_COLUMNS * BADGE_ROWS
    if not people:
        pdf.add_page()
    for i, person in enumerate(people):
        if i % per_page == 0:
            pdf.add_page()
        column, row = (i % per_page) % BADGE_COLUMNS, (i % per_page) // BADGE_COLUMNS
        x, y = MARGIN + column * width, MARGIN + row * height
        pdf.set_draw_color(170, 170, 170)
        pdf.rect(x, y, width, height)
        inner = width - 8
        pdf.set_xy(x + 4, y + 4)
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(inner, 4, title, align=Align.C, max_line_height=4)
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(x + 4, y + 17)
        pdf.set_font(FONT, "B", 18 if len(person.name) <= 24 else 14)
        pdf.multi_cell(inner, 8, person.name, align=Align.C)
        pdf.set_xy(x + 4, pdf.get_y() + 2)
        pdf.set_font(FONT, size=11)
        if person.organization:
            pdf.multi_cell(inner, 5.5, person.organization, align=Align.C)
        pdf.set_xy(x + 4, y + height - 10)
        pdf.set_font(FONT, size=9)
        pdf.set_text_color(60, 60, 60)
        pdf.cell(inner, 5, person.role, align=Align.C)
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
