"""The things citecheck finds in a document: links, claims, text problems, and the inventory."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

# Link kinds, as reported in `Link.kind`.
LINK_KINDS = (
    "inline",  # [text](url)
    "reference",  # [text][label], reported where it is used
    "autolink",  # <https://…>
    "bare",  # a URL written out in running text
    "image",  # ![alt](src) and <img src>
    "html",  # raw <a href> (in Markdown) or an HTML page's anchors
    "cite",  # blockquote/q/ins/del cite="…"
    "marker",  # a "[link]"-style stand-in with no target at all
)

# Claim kinds, as reported in `Claim.kinds`.
CLAIM_KINDS = ("quantity", "quotation", "attribution", "temporal", "comparison", "causal")

# Claim statuses.
SOURCED, PLACEHOLDER, UNSOURCED = "sourced", "placeholder", "unsourced"


@dataclass(slots=True)
class Link:
    """One outbound link (or stand-in for one) as written in a document."""

    document: str
    offset: int  # character offset of the link's start in the source text
    raw: str  # the target exactly as written ("" when empty)
    url: str | None  # absolute, normalised; None when there is no usable URL
    text: str
    kind: str
    placeholder: str | None = None  # reason code (see urls.REASONS) or None
    end: int = -1  # character offset just past the link in the source text
    in_code: bool = False  # found inside a code span or block (kept only with --include-code)
    line: int = 0  # 1-based, filled in by the scanner
    column: int = 0  # 1-based, in characters
    id: str = ""


@dataclass(slots=True)
class Problem:
    """Something wrong with the document's text itself (not with one link)."""

    document: str
    # "encoding" (bytes were not UTF-8), "mojibake" (text shows a wrong decoding), "extraction"
    # (a web page's main content could not be told apart), "truncated" (read only in part)
    kind: str
    message: str
    line: int = 0
    excerpt: str = ""


@dataclass(slots=True)
class Location:
    document: str
    line: int
    column: int


@dataclass(slots=True)
class Claim:
    """A check-worthy sentence and the sources the document ties to it."""

    document: str
    line: int
    column: int
    text: str
    kinds: list[str]
    score: float
    citations: list[str] = field(default_factory=list)  # link ids
    status: str = UNSOURCED
    locations: list[Location] = field(default_factory=list)  # every place the sentence occurs
    id: str = ""


@dataclass(slots=True)
class Block:
    """A run of prose with a map from its characters back to source offsets.

    `anchors` holds `(text_position, source_offset)` pairs in increasing order; a character at
    text position i lies at `source_offset + (i - text_position)` of the last anchor at or before i.
    """

    text: str
    anchors: list[tuple[int, int]]
    role: str = "prose"  # "prose", "heading", "footnote" (a footnote's definition), "item"
    label: str | None = None  # the footnote label when role == "footnote"

    def source_offset(self, i: int) -> int:
        k = bisect_right(self.anchors, (i, float("inf"))) - 1
        if k < 0:
            k = 0
        tpos, src = self.anchors[k]
        return src + (i - tpos)


@dataclass(slots=True)
class FootnoteRef:
    """A footnote marker in the text (`[^1]`, `¹`, `[1]`) pointing at a definition."""

    label: str
    offset: int  # source offset of the marker


@dataclass(slots=True)
class Extraction:
    """What a reader gets out of one document, before ids and claims are assigned."""

    links: list[Link] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    footnote_refs: list[FootnoteRef] = field(default_factory=list)
    # label -> (start, end) source span of the footnote's definition
    footnote_defs: dict[str, tuple[int, int]] = field(default_factory=dict)
    title: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Document:
    """One input file as read: its text, format, title and date."""

    path: str
    # "markdown", "html", "text", "docx", "odt", "pdf", "epub", "latex", "bibtex", "rst",
    # "urllist"; for binary formats `text` is the extracted text positions refer to.
    format: str
    text: str
    title: str | None = None
    date: str | None = None
    encoding: str = "utf-8"
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class InputError:
    """A path that could not be scanned, with the reason in plain words."""

    path: str
    message: str


@dataclass(slots=True)
class Inventory:
    """Everything found in one scan of one or more documents."""

    documents: list[Document] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
