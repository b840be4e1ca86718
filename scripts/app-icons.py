#!/usr/bin/env python3
"""Draws the phone app's icons (src/Gatehouse.Server/wwwroot/app/icons/*.png): a white door with a blue handle
on Gatehouse blue. Plain Python, no imaging library: each pixel is sampled 4x4 times and written as an RGBA PNG.
"icon-*" have rounded corners on a transparent ground; "maskable-*" and the Apple touch icon fill the square,
with the door inside the middle 60% that every launcher mask keeps. Run it again after changing the drawing."""
import os
import struct
import zlib

BLUE = (0x1D, 0x4E, 0xD8)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "Gatehouse.Server", "wwwroot", "app", "icons")


def rounded(x, y, x0, y0, x1, y1, r):
    """Whether (x, y) lies in the rectangle [x0, x1] x [y0, y1] with corners of radius r."""
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour(x, y, full, scale):
    """The colour at (x, y) in the unit square, or None for transparent."""
    if not full and not rounded(x, y, 0, 0, 1, 1, 0.2):
        return None
    # The drawing, in the unit square, shrunk by scale about the centre.
    u = (x - 0.5) / scale + 0.5
    v = (y - 0.5) / scale + 0.5
    if (u - 0.6) ** 2 + (v - 0.53) ** 2 <= 0.035 ** 2:
        return BLUE
    if rounded(u, v, 0.3, 0.16, 0.7, 0.84, 0.05):
        return WHITE
    return BLUE


def draw(size, full, scale):
    rows = []
    n = 4
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            r = g = b = a = 0
            for sy in range(n):
                for sx in range(n):
                    c = colour((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size, full, scale)
                    if c is not None:
                        r += c[0]; g += c[1]; b += c[2]; a += 1
            if a:
                row += bytes([r // a, g // a, b // a, a * 255 // (n * n)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, size, full, scale in [
        ("icon-192.png", 192, False, 1.0),
        ("icon-512.png", 512, False, 1.0),
        ("maskable-192.png", 192, True, 0.75),
        ("maskable-512.png", 512, True, 0.75),
        ("apple-touch-icon.png", 180, True, 0.9),
    ]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(draw(size, full, scale))


if __name__ == "__main__":
    main()
