"""Qualified invoices and credit notes as PDF, in an embedded Japanese TrueType font.

The document is printed in Japanese whatever the reader's language: it is a legal
document of Japanese consumption tax law. It holds what the law requires of a qualified
invoice (適格請求書): issuer and registration number, transaction dates, what was
supplied, the total and the tax per rate with the rate, and the recipient.

The font is IPAex Gothic, shipped in `kizuna/billing/fonts/` with its licence, embedded as a
subset. reportlab's built-in CID fonts are never embedded, so a viewer without them (most
outside Japan, and pdf.js) shows boxes; reportlab cannot embed CFF outlines, which rules out
Noto CJK.
"""

import datetime as dt
from functools import cache
from io import BytesIO

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kizuna.billing.models import Invoice
from kizuna.core.money import format_yen

GOTHIC = "IPAexGothic"

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm


def _jp_date(day: object) -> str:
    return f"{day:%Y年%m月%d日}"


@cache
def _register_font() -> None:
    # Loaded on first use: parsing the 6 MB font costs a web process nothing until it prints.
    pdfmetrics.registerFont(TTFont(GOTHIC, settings.KIZUNA_INVOICE_FONT_PATH))


def _issue_timestamp(invoice: Invoice) -> TimeStamp:
    """The document's creation date: the invoice's issue time in Japan, the same on every render.

    reportlab takes its dates from the document's TimeStamp; an invariant one is fixed at
    2000-01-01, so it is replaced by one set to the moment the invoice was issued.
    """
    issued = timezone.localtime(invoice.created_at, dt.timezone(dt.timedelta(hours=9)))
    stamp = TimeStamp(invariant=True)
    stamp.t = issued.timestamp()
    stamp.lt = issued.timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh, stamp.dmm, stamp.tzname = 9, 0, "JST"
    return stamp


def render_invoice_pdf(invoice: Invoice) -> bytes:
    _register_font()
    buffer = BytesIO()
    # invariant: same invoice, same bytes. The initial font is ours too: reportlab's default,
    # Helvetica, would be listed in the page's resources without being embedded.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, initialFontName=GOTHIC)
    canvas._doc._timeStamp = _issue_timestamp(invoice)
    canvas.setTitle(f"{invoice.display_number} {invoice.recipient_name}")
    canvas.setAuthor(invoice.issuer_name)
    canvas.setCreator("Kizuna")
    y = A4[1] - 25 * mm
    y = _title(canvas, invoice, y)
    y = _parties(canvas, invoice, y)
    y = _lines(canvas, invoice, y)
    y = _taxes(canvas, invoice, y)
    _payment(canvas, invoice, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _title(canvas: Canvas, invoice: Invoice, y: float) -> float:
    title = "適格返還請求書" if invoice.is_credit_note else "適格請求書"
    canvas.setFont(GOTHIC, 20)
    canvas.drawCentredString(A4[0] / 2, y, title)
    canvas.setFont(GOTHIC, 9)
    y -= 12 * mm
    canvas.drawRightString(RIGHT, y, f"番号: {invoice.display_number}")
    canvas.drawRightString(RIGHT, y - 5 * mm, f"発行日: {_jp_date(invoice.issue_date)}")
    if invoice.corrects_id is not None:
        corrected = invoice.corrects
        assert corrected is not None
        canvas.drawRightString(
            RIGHT,
            y - 10 * mm,
            f"対象請求書: {corrected.display_number}（{_jp_date(corrected.issue_date)}発行）",
        )
    return y


def _parties(canvas: Canvas, invoice: Invoice, y: float) -> float:
    canvas.setFont(GOTHIC, 14)
    canvas.drawString(LEFT, y, f"{invoice.recipient_name} 御中")
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, y - 2 * mm, LEFT + 95 * mm, y - 2 * mm)
    issuer_y = y - 22 * mm
    canvas.setFont(GOTHIC, 10)
    canvas.drawRightString(RIGHT, issuer_y, invoice.issuer_name)
    canvas.setFont(GOTHIC, 9)
    canvas.drawRightString(RIGHT, issuer_y - 5 * mm, f"登録番号: {invoice.registration_number}")
    if invoice.issuer_address:
        canvas.drawRightString(RIGHT, issuer_y - 10 * mm, invoice.issuer_address)
    canvas.setFont(GOTHIC, 10)
    canvas.drawString(
        LEFT,
        y - 12 * mm,
        f"取引期間: {_jp_date(invoice.period_start)} 〜 {_jp_date(invoice.period_end)}",
    )
    label = "ご返還金額（税込）" if invoice.is_credit_note else "ご請求金額（税込）"
    canvas.setFont(GOTHIC, 13)
    canvas.drawString(LEFT, y - 22 * mm, f"{label}  {format_yen(invoice.total)}")
    return y - 40 * mm


def _lines(canvas: Canvas, invoice: Invoice, y: float) -> float:
    canvas.setFont(GOTHIC, 9)
    canvas.setFillColor(colors.HexColor("#f0f0f0"))
    canvas.rect(LEFT, y - 2 * mm, RIGHT - LEFT, 7 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.drawString(LEFT + 2 * mm, y, "内容")
    canvas.drawRightString(RIGHT - 30 * mm, y, "税率")
    canvas.drawRightString(RIGHT - 2 * mm, y, "金額（税抜）")
    y -= 8 * mm
    for line in invoice.lines.all():
        canvas.drawString(LEFT + 2 * mm, y, line.description)
        canvas.drawRightString(RIGHT - 30 * mm, y, f"{line.tax_rate_percent}%")
        canvas.drawRightString(RIGHT - 2 * mm, y, format_yen(line.amount))
        canvas.line(LEFT, y - 2 * mm, RIGHT, y - 2 * mm)
        y -= 7 * mm
    return y - 4 * mm


def _taxes(canvas: Canvas, invoice: Invoice, y: float) -> float:
    canvas.setFont(GOTHIC, 9)
    x_label = RIGHT - 85 * mm
    for tax in invoice.taxes.all():
        canvas.drawString(x_label, y, f"{tax.rate_percent}%対象 小計（税抜）")
        canvas.drawRightString(RIGHT - 2 * mm, y, format_yen(tax.taxable_amount))
        y -= 5 * mm
        canvas.drawString(x_label, y, f"{tax.rate_percent}%対象 消費税")
        canvas.drawRightString(RIGHT - 2 * mm, y, format_yen(tax.tax))
        y -= 5 * mm
    canvas.setFont(GOTHIC, 11)
    canvas.drawString(x_label, y - 1 * mm, "合計（税込）")
    canvas.drawRightString(RIGHT - 2 * mm, y - 1 * mm, format_yen(invoice.total))
    return y - 14 * mm


def _payment(canvas: Canvas, invoice: Invoice, y: float) -> None:
    canvas.setFont(GOTHIC, 9)
    if invoice.is_credit_note:
        if invoice.reason:
            canvas.drawString(LEFT, y, f"返還の理由: {invoice.reason}")
        return
    canvas.drawString(LEFT, y, f"お支払期限: {_jp_date(invoice.due_date)}")
    if invoice.bank_account:
        canvas.drawString(LEFT, y - 5 * mm, f"お振込先: {invoice.bank_account}")
        canvas.drawString(LEFT, y - 10 * mm, "振込手数料はご負担ください。")
    if invoice.reason:
        canvas.drawString(LEFT, y - 15 * mm, f"備考: {invoice.reason}")
