"""Spreadsheet downloads (CSV and XLSX): the one writer every export of the platform uses.

A text that a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage
return) never comes out live (OWASP, "CSV injection"): in CSV it gets an apostrophe in front; in
XLSX it is a plain string cell with Excel's quote prefix (the apostrophe Excel itself stores when
one types '=..., so the cell stays text even once edited). Numbers stay numbers (a negative
amount is not text), dates stay dates (dd/mm/yyyy), yes/no reads "Oui"/"Non".

CSV: UTF-8 with a BOM (so spreadsheet software reads the accents) and ';' as delimiter (what a
French Excel expects), the header then the rows. XLSX: one sheet named after the title, the
header in bold and frozen.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is read as a formula (or the start of one) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31  # Excel refuses longer sheet names
MIN_WIDTH, MAX_WIDTH = 8, 50
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

Value = str | int | float | Decimal | bool | datetime.date | datetime.datetime | None


@dataclass(frozen=True)
class ExportTable:
    title: str  # the sheet's name in XLSX; not written in CSV
    columns: list[str]  # the header row
    rows: Iterable[list[Value]]  # read once: a generator is fine
    # What an absent value (None) is written as; a marker ("s", masked) sits with the numbers.
    blank: str = ""


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value: Value) -> Value:
    """A text a spreadsheet would take for a formula, with an apostrophe in front; anything
    else (numbers, dates, other texts) as it is."""
    return "'" + value if is_formula_like(value) else value


def csv_text(value: Value, *, blank: str = "") -> str:
    """A value as written in a CSV cell, neutralised."""
    if value is None:
        return blank
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Decimal(repr) gives the shortest digits without an exponent: 1e-05 -> "0,00001".
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime.datetime):
        return f"{_local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return neutralise(str(value))


def to_csv(table: ExportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(c, blank=table.blank) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: ExportTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(table.title)
    workbook.properties.title = table.title
    bold = Font(bold=True)
    widths: dict[int, int] = {}
    for row_index, row in enumerate(_with_header(table), start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            _fill(cell, value, blank=table.blank)
            if row_index == 1:
                cell.font = bold
            shown = len(csv_text(value, blank=table.blank))
            widths[column_index] = max(widths.get(column_index, 0), shown)
    for column_index, width in widths.items():
        letter = get_column_letter(column_index)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"  # the header stays visible while scrolling
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(table: ExportTable, *, fmt: str, filename: str) -> HttpResponse:
    """The table as a download: fmt is "csv" or "xlsx", filename without its extension."""
    if fmt == "csv":
        content = to_csv(table)
    elif fmt == "xlsx":
        content = to_xlsx(table)
    else:
        raise ValueError(f"Format d'export inconnu : {fmt!r} (attendu : csv ou xlsx).")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    # Quotes, line breaks and accents in the name are encoded, never copied raw into the header.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt}"
    )
    return response


def sheet_name(title: str) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, not empty, no apostrophe at
    either end."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title))
    name = " ".join(name.split())[:SHEET_NAME_MAX].strip().strip("'").strip()
    return name or "Export"


def _with_header(table: ExportTable):
    yield table.columns
    yield from table.rows


def _local(value: datetime.datetime) -> datetime.datetime:
    """Spreadsheets know no time zones: the time as read in France."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _fill(cell, value: Value, *, blank: str) -> None:
    if value is None:
        if blank:
            cell.value = blank
            cell.alignment = Alignment(horizontal="right")  # sits with the numbers
    elif isinstance(value, bool):
        cell.value = "Oui" if value else "Non"
    elif isinstance(value, int | float | Decimal):
        cell.value = value
    elif isinstance(value, datetime.datetime):
        cell.value = _local(value).replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # openpyxl refuses them
        cell.value = text
        # openpyxl turns "=..." into a formula and "#N/A" into an error: text stays text.
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True  # Excel keeps it as text even once edited
