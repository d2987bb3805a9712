"""Billing periods are whole calendar months (one, or twelve when billed annually)."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def first_of_next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def period_end(start: date, months: int) -> date:
    return add_months(start, months) - timedelta(days=1)
