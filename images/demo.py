"""A picture for the demo content, drawn with Pillow when the demo is loaded
(no binary file in the repository, nothing fetched from elsewhere)."""

import io
import math

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 900
SCALE = 2  # drawn at twice the size, then reduced: smooth edges


def glutamine_illustration():
    """A glass of water beside a measuring scoop heaped with white powder, as PNG bytes."""
    s = SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), (226, 241, 234))
    draw = ImageDraw.Draw(image)
    # A soft backdrop: a pale circle behind the still life, and a table top.
    draw.ellipse([(330 * s, -120 * s), (1290 * s, 840 * s)], fill=(240, 248, 244))
    draw.rectangle([(0, 700 * s), (WIDTH * s, HEIGHT * s)], fill=(203, 224, 214))
    draw.line([(0, 700 * s), (WIDTH * s, 700 * s)], fill=(186, 210, 199), width=4 * s)

    # The glass: a tapered outline, two thirds full of water.
    top, bottom = 250 * s, 690 * s
    left_top, right_top, left_bottom, right_bottom = 470 * s, 790 * s, 500 * s, 760 * s
    water = 380 * s

    def side(x_top, x_bottom, y):
        return x_top + (x_bottom - x_top) * (y - top) / (bottom - top)

    draw.polygon(
        [
            (side(left_top, left_bottom, water), water),
            (side(right_top, right_bottom, water), water),
            (right_bottom, bottom),
            (left_bottom, bottom),
        ],
        fill=(178, 220, 236),
    )
    draw.line(
        [(left_top, top), (left_bottom, bottom), (right_bottom, bottom), (right_top, top)],
        fill=(120, 160, 178), width=7 * s, joint="curve",
    )  # fmt: skip
    draw.ellipse(
        [(left_top, top - 18 * s), (right_top, top + 18 * s)],
        outline=(120, 160, 178),
        width=6 * s,
    )
    # A highlight on the glass.
    draw.line([(525 * s, 300 * s), (540 * s, 640 * s)], fill=(250, 253, 255), width=12 * s)

    # The scoop: a bowl with a handle, heaped with white powder.
    draw.rounded_rectangle(
        [(1020 * s, 606 * s), (1380 * s, 636 * s)], radius=15 * s, fill=(52, 120, 96)
    )
    draw.pieslice([(860 * s, 470 * s), (1100 * s, 710 * s)], 0, 180, fill=(62, 140, 112))
    powder, shade = (252, 252, 248), (214, 218, 210)
    draw.ellipse(
        [(865 * s, 560 * s), (1095 * s, 620 * s)], fill=powder, outline=shade, width=3 * s
    )
    draw.pieslice([(880 * s, 500 * s), (1080 * s, 640 * s)], 180, 360, fill=powder)
    draw.arc([(880 * s, 500 * s), (1080 * s, 640 * s)], 180, 360, fill=shade, width=3 * s)
    # A little spilled powder on the table.
    for x, y, r in [(1130, 722, 9), (1162, 731, 6), (1101, 736, 5), (1196, 726, 4)]:
        draw.ellipse([((x - r) * s, (y - r) * s), ((x + r) * s, (y + r) * s)], fill=powder)

    image = image.filter(ImageFilter.SMOOTH).resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def share_card():
    """The site's default share image, as PNG bytes: a leaf above the blog's
    name, both in the middle, so that the square and 4:3 crops keep them."""
    s = SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), (226, 241, 234))
    draw = ImageDraw.Draw(image)
    draw.ellipse([(520 * s, 60 * s), (1080 * s, 620 * s)], fill=(240, 248, 244))
    # A leaf: a lens between two arcs, tilted, with its midrib and stem.
    tip, base = (940, 150), (660, 520)
    points = []
    for side in (1, -1):
        for step in range(41) if side == 1 else range(40, -1, -1):
            t = step / 40
            bulge = side * 150 * math.sin(math.pi * t)
            x = base[0] + (tip[0] - base[0]) * t + bulge * 0.8
            y = base[1] + (tip[1] - base[1]) * t + bulge * 0.6
            points.append((x * s, y * s))
    draw.polygon(points, fill=(62, 140, 112))
    draw.line(
        [(base[0] * s, base[1] * s), (tip[0] * s, tip[1] * s)], fill=(226, 241, 234), width=6 * s
    )
    draw.line([(base[0] * s, base[1] * s), (610 * s, 580 * s)], fill=(52, 120, 96), width=10 * s)
    try:
        font = ImageFont.load_default(size=120 * s)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw.text((800 * s, 740 * s), "glutablog", font=font, fill=(34, 85, 68), anchor="mm")
    image = image.filter(ImageFilter.SMOOTH).resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
