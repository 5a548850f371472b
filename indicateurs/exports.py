"""Export of a dashboard table as CSV or XLSX.

A masked value (statistical secrecy) is None and comes out as "s", as in the tables. Text that a
spreadsheet would take for a formula is neutralised: an apostrophe in front in CSV, a plain
string cell (never a formula) in XLSX.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MASKED = "s"
# A cell starting with one of these is read as a formula (or the start of one) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31  # Excel refuses longer sheet names
MIN_WIDTH, MAX_WIDTH = 8, 50


@dataclass(frozen=True)
class ExportTable:
    title: str
    columns: list[str]  # header row, first column is the row label's header
    rows: list[list[str | int | float | None]]  # first item is the row label; None means masked


def to_csv(table: ExportTable) -> bytes:
    """UTF-8 with a BOM (so spreadsheet software reads the accents), ';' as delimiter (what a
    French Excel expects), header then rows, without the title."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: ExportTable) -> bytes:
    """One sheet named after the title, the header in bold, numbers kept as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(table.title)
    workbook.properties.title = table.title
    bold = Font(bold=True)
    widths: dict[int, int] = {}
    for row_index, row in enumerate([table.columns, *table.rows], start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            if value is None:
                cell.value = MASKED
                cell.alignment = Alignment(horizontal="right")  # sits with the numbers
            elif isinstance(value, int | float):
                cell.value = value
            else:
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # openpyxl refuses them
                cell.value = text
                # openpyxl turns "=..." into a formula and "#N/A" into an error: text stays text.
                cell.data_type = "s"
                if text.startswith(FORMULA_TRIGGERS):
                    cell.quotePrefix = True  # Excel keeps it as text even once edited
            if row_index == 1:
                cell.font = bold
            shown = len(_csv_cell(value))
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


def _csv_cell(value: str | int | float | None) -> str:
    if value is None:
        return MASKED
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Decimal(repr) gives the shortest digits without an exponent: 1e-05 -> "0,00001".
        return format(Decimal(repr(value)), "f").replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
