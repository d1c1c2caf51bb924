"""Pillow-drawn pictures for the demo and the tests: soft shapes on a gradient, never photos."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw


def drawn_picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture of large soft shapes on a gradient: distinct per seed, stable under resizing."""
    rnd = random.Random(seed)  # noqa: S311 - reproducible drawings, not secrets
    width, height = size
    image = Image.new("RGB", size)
    top = tuple(rnd.randrange(256) for _ in range(3))
    bottom = tuple(rnd.randrange(256) for _ in range(3))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(6):
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(width // 6, width // 2), rnd.randrange(height // 6, height // 2)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        shape = draw.ellipse if rnd.random() < 0.5 else draw.rectangle
        shape([x0, y0, x0 + w, y0 + h], fill=colour)
    return image


def encoded(image: Image.Image, image_format: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()
