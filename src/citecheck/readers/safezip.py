"""Open zip packages and their XML parts from untrusted senders without bombs or entity tricks."""

from __future__ import annotations

import io
import zipfile
from typing import cast
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from citecheck.readers.decode import UnreadableInput

__all__ = ["MAX_MEMBERS", "MAX_UNPACKED", "Package", "parse_xml", "refuse_ole"]

MAX_MEMBERS = 5000  # a long book has a few hundred parts; thousands mean a crafted archive
MAX_UNPACKED = 256 * 1024 * 1024  # in all, counted as bytes actually come out, not as declared
MAX_PART = 64 * 1024 * 1024  # one XML part; a 64 MB document.xml is already absurd
_CHUNK = 1 << 16
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refuse_ole(data: bytes, what: str) -> None:
    """Office wraps password-protected files in an OLE container instead of a zip."""
    if data.startswith(_OLE):
        raise UnreadableInput(f"is a password-protected (encrypted) or pre-2007 {what} file")


class Package:
    """A zip archive read member by member, within limits on count and unpacked size."""

    def __init__(self, data: bytes, what: str) -> None:
        self.what = what
        self._unpacked = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise UnreadableInput(f"is a damaged {what} (not a readable zip package)") from None
        if len(infos) > MAX_MEMBERS:
            raise UnreadableInput(
                f"holds {len(infos)} parts, over the {MAX_MEMBERS} a {what} can sensibly have"
            )
        if any(info.flag_bits & 0x1 for info in infos):
            raise UnreadableInput(f"is an encrypted (password-protected) {what}")
        self._names = {info.filename for info in infos}

    def __contains__(self, name: str) -> bool:
        return name in self._names

    @property
    def names(self) -> set[str]:
        return set(self._names)

    def read(self, name: str, limit: int = MAX_PART) -> bytes:
        """A member's bytes; raises UnreadableInput when it is damaged or inflates too far."""
        out = bytearray()
        try:
            with self._zip.open(name) as f:
                while chunk := f.read(_CHUNK):
                    out += chunk
                    self._unpacked += len(chunk)
                    # The sizes a zip declares can lie; only the bytes read so far are trusted.
                    if len(out) > limit or self._unpacked > MAX_UNPACKED:
                        raise UnreadableInput(
                            f"unpacks to more than {min(limit, MAX_UNPACKED) // 2**20} MB "
                            f"({name}): a zip bomb or not a real {self.what}"
                        )
        except KeyError:
            raise UnreadableInput(f"is a damaged {self.what} ({name} is missing)") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
            raise UnreadableInput(
                f"is a damaged {self.what} ({name}: {str(e) or type(e).__name__})"
            ) from None
        return bytes(out)

    def xml(self, name: str) -> Element:
        return parse_xml(self.read(name), name, self.what)

    def xml_if_present(self, name: str) -> Element | None:
        return self.xml(name) if name in self._names else None


def parse_xml(data: bytes, name: str, what: str) -> Element:
    """Parse one XML part with entity declarations and external references refused outright.

    Office and EPUB parts never declare entities, so any declaration is treated as an attack
    (billion laughs, quadratic blow-up, external entities) rather than expanded.
    """
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        raise UnreadableInput(
            f"declares XML entities in {name} (a 'billion laughs' attack?); refused"
        ) from None
    except (ParseError, ValueError) as e:
        raise UnreadableInput(f"is a damaged {what} ({name} is not well-formed XML: {e})") from None
    return cast(Element, root)
