"""Images made with Pillow in the test, as an editor's camera or drawing
program would save them."""

import io
import struct
import zlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL.ExifTags import GPS, IFD, Base

from images.models import Image

GPS_PARIS = {
    GPS.GPSLatitudeRef: "N",
    GPS.GPSLatitude: (48.0, 51.0, 29.0),
    GPS.GPSLongitudeRef: "E",
    GPS.GPSLongitude: (2.0, 17.0, 40.0),
}


def picture(width=1000, height=600, fmt="JPEG", colour=(40, 120, 90), **save_options):
    """Bytes of a picture: a colour field with a lighter block in its top left
    quarter (so that a rotation shows)."""
    mode = "RGBA" if fmt in ("PNG", "WEBP") and save_options.pop("alpha", False) else "RGB"
    image = PILImage.new(mode, (width, height), colour)
    image.paste((250, 250, 240), (0, 0, width // 4, height // 4))
    out = io.BytesIO()
    image.save(out, format=fmt, **save_options)
    return out.getvalue()


def photo_with_gps(width=1200, height=800, orientation=6):
    """A JPEG as a phone saves it: camera make and model, GPS position, and an
    orientation tag (6: the picture must be turned 90° clockwise to stand up)."""
    exif = PILImage.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif[Base.Model] = "Phone 12"
    exif[Base.Orientation] = orientation
    exif[Base.Software] = "Camera 1.0"
    exif[IFD.GPSInfo] = GPS_PARIS
    return picture(width, height, "JPEG", exif=exif.tobytes())


def animated_gif(width=120, height=80, frames=3):
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]
    images = [PILImage.new("RGB", (width, height), colours[n % 4]) for n in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=100)
    return out.getvalue()


def png_claiming_size(width, height):
    """A real 1 × 1 PNG whose header says it is width × height: what a
    decompression bomb looks like before anything is decoded."""
    data = bytearray(picture(1, 1, "PNG"))
    # The IHDR chunk: length (4) + type (4) at offset 8, then width and height.
    struct.pack_into(">II", data, 16, width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


def upload(content, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: upload(picture(1000, 600), "picture.jpg"))
    alt = factory.Sequence(lambda n: f"A green field with a pale square, number {n}")
    caption = ""
    credit = ""
