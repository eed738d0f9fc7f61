"""Exports of the dashboard's figures (CSV, XLSX, JSON) and of learner-level rows, as generators.

The same ``services.table`` results feed the dashboard and every export, so the figures match to the unit.
Column names and their order are part of the contract (documented in ``COLUMNS``/``LEARNER_COLUMNS``):

``level; code; name; country_code; region_code; enrolled; started; completed; completion_rate; avg_best_score;
median_best_score; median_days_to_completion; active_learners; period_start; period_end``

A withheld count is written ``<k`` (e.g. ``<5``); a withheld derived figure (rate, score, days) is left empty
(``null`` in JSON, where each row also lists its ``suppressed`` columns). Dates are ISO 8601; CSV is UTF-8 with a
byte-order mark so Excel and LibreOffice open it cleanly; XLSX keeps numbers as numbers.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from .services import LEARNER_COLUMNS, NAME_COLUMNS, Filters, Row, Table

COLUMNS = ("level", "code", "name", "country_code", "region_code", "enrolled", "started", "completed",
           "completion_rate", "avg_best_score", "median_best_score", "median_days_to_completion", "active_learners",
           "period_start", "period_end")
#: export column → Row figure
FIGURES = {"enrolled": "enrolled", "started": "started", "completed": "completed",
           "completion_rate": "completion_rate", "avg_best_score": "avg_score", "median_best_score": "median_score",
           "median_days_to_completion": "median_days", "active_learners": "active"}
COUNT_COLUMNS = {"enrolled", "started", "completed", "active_learners"}
FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "json": "application/json"}
SHEETS = ("places", "courses", "sex", "age_band", "profile")


def _code_fields(table: Table, row: Row) -> tuple[str | None, str | None]:
    return row.extra.get("country_code"), row.extra.get("region_code")


def table_records(table: Table, filters: Filters, level: str | None = None) -> Iterator[dict[str, Any]]:
    """One record per row, then the total: raw values, None where withheld, and the withheld columns.

    The filters are read now: the records are written as the response streams, when the places loaded by the
    request may no longer be readable."""
    period = (filters.since.isoformat() if filters.since else None, filters.until.isoformat() if filters.until
              else None)
    return _records(table, level or table.group, filters.country_code, period)


def _records(table: Table, level: str, country_code: str | None,
             period: tuple[str | None, str | None]) -> Iterator[dict[str, Any]]:
    for row, row_level in [*((r, level) for r in table.rows), (table.total, "total")]:
        country, region = _code_fields(table, row) if row_level != "total" else (country_code, None)
        record: dict[str, Any] = {
            "level": row_level, "code": row.code if row_level != "total" else "", "name": row.label,
            "country_code": country or "", "region_code": region or "",
        }
        suppressed = []
        for column, figure in FIGURES.items():
            record[column] = row.value(figure)
            if figure in row.hidden:
                suppressed.append(column)
        record["period_start"], record["period_end"] = period
        record["suppressed"] = suppressed
        yield record


def _cell(record: dict[str, Any], column: str, k: int) -> Any:
    """A value as a spreadsheet cell: ``<k`` for a withheld count, empty for a withheld figure."""
    if column in record.get("suppressed", ()):
        return f"<{k}" if column in COUNT_COLUMNS else ""
    value = record.get(column)
    return "" if value is None else value


def csv_stream(records: Iterable[dict[str, Any]], k: int, *, delimiter: str = ";",
               columns: Sequence[str] = COLUMNS) -> Iterator[str]:
    """CSV text, a line at a time, starting with the UTF-8 byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield "\ufeff" + flush()
    for record in records:
        writer.writerow([_csv_value(_cell(record, c, k)) for c in columns])
        yield flush()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def json_stream(sections: dict[str, Iterable[dict[str, Any]]], meta: dict[str, Any]) -> Iterator[str]:
    """A JSON object ``{"meta": …, "<section>": [records…], …}``, written as the records come."""
    yield '{"meta": ' + json.dumps(meta, ensure_ascii=False, default=str)
    for name, records in sections.items():
        yield ", " + json.dumps(name) + ": ["
        first = True
        for record in records:
            yield ("" if first else ", ") + json.dumps(record, ensure_ascii=False, default=str)
            first = False
        yield "]"
    yield "}\n"


def write_xlsx(path: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[dict[str, Any]]]], k: int) -> int:
    """Write one sheet per (name, columns, records); constant-memory mode. Returns the number of data rows."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDE7EE", "border": 1, "text_wrap": True})
    written = 0
    for name, columns, records in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(columns) - 1, 16)
        for col, title in enumerate(columns):
            sheet.write_string(0, col, title, header)
        for row_number, record in enumerate(records, start=1):
            for col, column in enumerate(columns):
                value = _cell(record, column, k)
                if isinstance(value, bool):
                    sheet.write_boolean(row_number, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row_number, col, value)
                elif value == "" or value is None:
                    sheet.write_blank(row_number, col, None)
                else:
                    sheet.write_string(row_number, col, str(value))
            written += 1
    workbook.close()
    return written


def dashboard_sheets(tables: dict[str, Table], filters: Filters, level: str,
                     months: list | None = None) -> list[tuple[str, Sequence[str], Iterable[dict[str, Any]]]]:
    """The sheets of a dashboard workbook: places at ``level``, courses, each breakdown, completions per month."""
    sheets: list[tuple[str, Sequence[str], Iterable[dict[str, Any]]]] = []
    for name in SHEETS:
        if name in tables:
            sheets.append((name, COLUMNS, table_records(tables[name], filters, level if name == "places" else name)))
    if months is not None:
        sheets.append(("months", ("month", "completions"),
                       ({"month": m.month, "completions": m.count, "suppressed": ["completions"] if m.hidden else []}
                        for m in months)))
    return sheets


def xlsx_chunks(sheets: Sequence[tuple[str, Sequence[str], Iterable[dict[str, Any]]]], k: int,
                chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Build the workbook in a temporary file (XLSX is a zip), then stream it in chunks and delete it."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, sheets, k)
        with open(path, "rb") as stream:
            while chunk := stream.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)


def learner_columns(names: bool) -> tuple[str, ...]:
    return LEARNER_COLUMNS[:1] + (NAME_COLUMNS if names else ()) + LEARNER_COLUMNS[1:]


def export_meta(actor_label: str, filters: Filters, level: str, k: int, suppressed: bool,
                as_of: datetime | None = None) -> dict[str, Any]:
    """``figures_as_of``: when the figures were computed (a statistics snapshot's time, else now)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"generated_at": now, "figures_as_of": as_of.isoformat(timespec="seconds") if as_of else now,
            "by": actor_label, "level": level, "filters": filters.describe(), "min_cell": k,
            "suppression": suppressed, "columns": list(COLUMNS)}


def filename(kind: str, filters: Filters, fmt: str) -> str:
    parts = ["recosa-stats", kind] + [v for v in (filters.country_code, filters.region.code if filters.region else None,
                                                   filters.municipality.code if filters.municipality else None) if v]
    return "-".join(parts).lower() + f"-{datetime.now(UTC):%Y%m%d}.{fmt}"
