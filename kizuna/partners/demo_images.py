"""Demo logos and screenshots of work, drawn with Pillow at seed time (nothing is fetched).

Each picture is drawn from a generator seeded by the partner's slug, so a demo looks the
same every time without taking numbers from the demo's own generator.
"""

import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

# Brand colours a shop or an agency might choose (dark enough for white text on them).
COLOURS = ["#c2410c", "#0a3069", "#116329", "#6639ba", "#0b5560", "#8c1c44", "#1b4b91", "#7c4a03"]
PASTELS = ["#fde2e4", "#e2ece9", "#dfe7fd", "#fff1c1", "#e8dff5", "#d7f0db", "#fce1d0"]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _webp(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=80, method=4)
    return ContentFile(buffer.getvalue(), name=f"{name}.webp")


def demo_logo(slug: str) -> ContentFile:
    """A monogram on a shape, alone or over the name, on a transparent ground."""
    rng = random.Random(f"logo-{slug}")  # noqa: S311 - a demo picture, no secret
    colour = rng.choice(COLOURS)
    words = [w for w in slug.split("-") if w][:2] or ["k"]
    monogram = "".join(word[0] for word in words).upper()
    named = rng.random() < 0.5
    image = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    box = (70, 16, 250, 196) if named else (20, 20, 300, 300)
    shape = rng.choice(["circle", "rounded", "diamond"])
    if shape == "circle":
        draw.ellipse(box, fill=colour)
    elif shape == "rounded":
        draw.rounded_rectangle(box, radius=40, fill=colour)
    else:
        x0, y0, x1, y1 = box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=colour)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    draw.text(centre, monogram, fill="white", font=_font(80 if named else 120), anchor="mm")
    if named:
        draw.text((160, 256), words[0].upper(), fill=colour, font=_font(56), anchor="mm")
    return _webp(image, f"{slug}-demo-logo")


def demo_screenshot(slug: str, number: int, host: str) -> ContentFile:
    """A shop's front page as a browser shows it: address bar, header, hero, products."""
    rng = random.Random(f"work-{slug}-{number}")  # noqa: S311 - a demo picture, no secret
    colour, pastel = rng.choice(COLOURS), rng.choice(PASTELS)
    width, height = 1280, 800
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    # The browser: three dots and the address.
    draw.rectangle((0, 0, width, 56), fill="#e8eaed")
    for i, dot in enumerate(["#ff5f57", "#febc2e", "#28c840"]):
        draw.ellipse((20 + i * 26, 20, 36 + i * 26, 36), fill=dot)
    draw.rounded_rectangle((120, 12, width - 40, 44), radius=16, fill="white")
    draw.text((140, 28), f"https://{host}/", fill="#444", font=_font(18), anchor="lm")
    # The shop's header: its name and a menu.
    draw.rectangle((0, 56, width, 136), fill=colour)
    draw.text((48, 96), host.split(".")[0].upper(), fill="white", font=_font(34), anchor="lm")
    for i in range(4):
        draw.rounded_rectangle((700 + i * 130, 88, 800 + i * 130, 104), radius=8, fill="#ffffffaa")
    # The hero: a block of colour, a headline and a button.
    draw.rectangle((0, 136, width, 416), fill=pastel)
    draw.rounded_rectangle((80, 200, 620, 236), radius=10, fill=colour)
    draw.rounded_rectangle((80, 256, 540, 276), radius=8, fill="#9aa0a6")
    draw.rounded_rectangle((80, 290, 480, 310), radius=8, fill="#9aa0a6")
    draw.rounded_rectangle((80, 336, 260, 384), radius=24, fill=colour)
    cx, cy, r = 960, 276, rng.randint(90, 120)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    draw.rectangle((cx - r // 2, cy - r // 2, cx + r, cy + r), fill="white", outline=colour)
    # Products: four cards with a picture, a name and a price.
    for i in range(4):
        x = 48 + i * 302
        draw.rounded_rectangle((x, 456, x + 278, 780), radius=12, outline="#dadce0", width=2)
        draw.rectangle((x + 2, 458, x + 276, 640), fill=rng.choice(PASTELS))
        shape_box = (x + 99, 509, x + 179, 589)
        if rng.random() < 0.5:
            draw.ellipse(shape_box, fill=colour)
        else:
            draw.rounded_rectangle(shape_box, radius=14, fill=colour)
        draw.rounded_rectangle((x + 18, 662, x + 18 + rng.randint(150, 240), 680), radius=8,
                               fill="#5f6368")  # fmt: skip
        draw.text((x + 18, 730), f"¥{rng.randint(8, 120) * 100:,}", fill=colour, font=_font(28),
                  anchor="lm")  # fmt: skip
    return _webp(image, f"{slug}-demo-work-{number}")
