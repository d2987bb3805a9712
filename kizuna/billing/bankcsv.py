"""Reading bank statement CSV exports into deposits.

Which columns hold the date, the payer name and the deposited amount is a setting,
KIZUNA_BILLING_BANK_CSV: the name of a preset below, or a JSON object with the keys
"date", "payer" and "amount" naming the header of each column.
"""

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kizuna.core.imports import LineRejected, Reason, csv_dicts, reason, reason_text

PRESETS: dict[str, dict[str, str]] = {
    # A typical Japanese internet-bank export: 日付,内容,出金金額(円),入金金額(円),残高(円)
    "jp_internet_bank": {"date": "日付", "payer": "内容", "amount": "入金金額(円)"},
    # The same three columns with English headers, for banks that export them.
    "generic_en": {"date": "date", "payer": "payer", "amount": "amount"},
}


def column_mapping() -> dict[str, str]:
    configured = settings.KIZUNA_BILLING_BANK_CSV
    if configured in PRESETS:
        return PRESETS[configured]
    try:
        mapping = json.loads(configured)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or set(mapping) != {"date", "payer", "amount"}:
        raise ImproperlyConfigured(
            "KIZUNA_BILLING_BANK_CSV must be a preset name "
            f"({', '.join(PRESETS)}) or JSON with keys date, payer, amount"
        )
    return mapping


@dataclass(frozen=True)
class StatementRow:
    line: int
    booked_on: date
    payer_name: str
    amount: int
    row_hash: str


@dataclass
class ParsedStatement:
    rows: list[StatementRow] = field(default_factory=list)
    skipped_withdrawals: int = 0
    rejected: list[tuple[int, Reason]] = field(default_factory=list)  # (line, reason)

    def errors(self) -> list[str]:
        """The rejections as the reader's language words them, each naming its line."""
        return [
            _("Line %(line)s: %(reason)s") % {"line": line, "reason": reason_text(why)}
            for line, why in self.rejected
        ]


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d")


def parse_date(text: str) -> date:
    text = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text[:50])


# Deposits are stored in a 32-bit column (2.1 billion yen, far above any fee): a larger
# number is a broken line, not a deposit.
MAX_AMOUNT = 2**31


def parse_amount(text: str) -> int:
    cleaned = re.sub(r"[,¥￥円\s]", "", text)
    if not cleaned:
        return 0
    if not re.fullmatch(r"-?\d{1,12}", cleaned) or abs(int(cleaned)) >= MAX_AMOUNT:
        raise ValueError(text[:50])
    return int(cleaned)


def parse_statement(content: bytes, mapping: dict[str, str]) -> ParsedStatement:
    """Banks export UTF-8 or Shift_JIS (cp932): both are read, line by line; a line in
    neither, or that cannot be parsed, is an error of its own and the others are read."""
    header, records = csv_dicts(io.BytesIO(content), fallback="cp932")
    missing = [name for name in mapping.values() if name not in header]
    parsed = ParsedStatement()
    if missing:
        parsed.rejected.append(
            (
                1,
                reason(
                    gettext_noop("The file has no column %(columns)s."), columns=", ".join(missing)
                ),
            )
        )
        return parsed
    seen: dict[tuple, int] = {}
    for line, record in records:
        if isinstance(record, LineRejected):
            parsed.rejected.append((line, record.reason))
            continue
        try:
            booked_on = parse_date(record.get(mapping["date"]) or "")
            amount = parse_amount(record.get(mapping["amount"]) or "")
        except ValueError as error:
            parsed.rejected.append(
                (line, reason(gettext_noop("Cannot read %(value)s."), value=str(error)))
            )
            continue
        if amount <= 0:
            parsed.skipped_withdrawals += 1
            continue
        payer = (record.get(mapping["payer"]) or "").strip()[:200]
        # Two identical transfers on one day are two deposits: the occurrence tells them apart.
        identity = (booked_on.isoformat(), payer, amount)
        seen[identity] = seen.get(identity, 0) + 1
        digest = hashlib.sha256("|".join([*map(str, identity), str(seen[identity])]).encode())
        parsed.rows.append(StatementRow(line, booked_on, payer, amount, digest.hexdigest()))
    return parsed
