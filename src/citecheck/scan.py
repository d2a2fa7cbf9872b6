"""Build the inventory of documents: every link with its position, every claim with its sources."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.footnotes import add_text_footnotes
from citecheck.model import (
    PLACEHOLDER,
    SOURCED,
    UNSOURCED,
    Block,
    Claim,
    Document,
    Extraction,
    InputError,
    Inventory,
    Link,
    Location,
)
from citecheck.positions import LineIndex
from citecheck.readers import UnreadableInput, read_document, walk
from citecheck.readers.decode import MAX_BYTES
from citecheck.readers.webpage import is_web_address, read_webpage

if TYPE_CHECKING:
    from citecheck.checking.options import EngineOptions

_KEY_EDGES = " \"'“”‘’«»()[]*_"
# A heading or a short line like these introduces a list of sources ("Relevant articles:"): its
# items are references — titles, outlets, dates — not claims, though their links are listed.
_REFERENCE_LIST = re.compile(
    r"(?:(?:relevant|related|further|recommended|selected|suggested|additional|useful|other)\s+)?"
    r"(?:articles|reading|references|sources|bibliography|works\s+cited|literature|links|"
    r"see\s+also|read\s+more|citations|notes)"
    r"(?:\s+and\s+(?:notes|references|sources|links|further\s+reading))?\s*:?",
    re.IGNORECASE,
)

Progress = Callable[[str], None]


def expand(paths: Iterable[str | Path]) -> tuple[list[Path | str], list[InputError]]:
    """Files to scan from the paths given (folders walked), and the paths that gave none.

    An http(s) address among them stays a `str`: a web page to fetch.
    """
    files: list[Path | str] = []
    errors: list[InputError] = []
    for given in paths:
        if is_web_address(given):
            files.append(str(given).strip())
            continue
        p = Path(given)
        if p.is_dir():
            found = list(walk(p))
            if not found:
                errors.append(InputError(str(p), "folder holds no documents citecheck reads"))
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            errors.append(InputError(str(p), "no such file or folder"))
    return files, errors


def scan(
    paths: Iterable[str | Path],
    *,
    include_code: bool = False,
    claims: bool = True,
    fast_claims: bool = False,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
    whole_page: bool = False,
    engine: EngineOptions | None = None,
) -> Inventory:
    """Read every document under `paths`; unreadable ones become `errors`, the rest go on.

    http(s) addresses are fetched with the checking engine's `engine` options and read for
    their main content only, or entirely with `whole_page`. `fast_claims` scores every
    document's sentences with the fast claim model (for bulk scans), not only the large ones.
    """
    files, errors = expand(paths)
    inv = Inventory(errors=errors)
    for path in files:
        if progress is not None:
            progress(str(path))
        try:
            if isinstance(path, str):
                doc, ex = read_webpage(
                    path,
                    options=engine,
                    whole_page=whole_page,
                    include_code=include_code,
                    max_bytes=max_bytes,
                )
            else:
                doc, ex = read_document(
                    path, include_code=include_code, max_bytes=max_bytes, prose=claims
                )
            add_document(
                inv, doc, ex, include_code=include_code, claims=claims, fast_claims=fast_claims
            )
        except UnreadableInput as e:
            inv.errors.append(InputError(str(path), str(e)))
        except RecursionError:
            inv.errors.append(InputError(str(path), "is nested too deeply to read"))
        except MemoryError:
            inv.errors.append(InputError(str(path), "is too large to read in the memory available"))
        except Exception as e:  # noqa: BLE001 - one bad document must not end a batch
            inv.errors.append(
                InputError(
                    str(path),
                    f"could not be read ({type(e).__name__}: {e}); "
                    "please report this as a citecheck bug",
                )
            )
    return inv


def add_document(
    inv: Inventory,
    doc: Document,
    ex: Extraction,
    *,
    include_code: bool,
    claims: bool,
    fast_claims: bool = False,
) -> None:
    """Number a read document's links and claims into the inventory."""
    add_text_footnotes(ex)
    lines = LineIndex(doc.text)
    links = sorted(
        (
            link
            for link in ex.links
            # Inline data: images are content, not citations.
            if (include_code or not link.in_code) and not link.raw[:5].lower() == "data:"
        ),
        key=lambda k: k.offset,
    )
    first = len(inv.links) + 1
    for n, link in enumerate(links, first):
        link.id = f"L{n}"
        link.line, link.column = lines.line_col(link.offset)
    found = (
        find_claims(doc, ex, links, lines, len(inv.claims) + 1, fast=fast_claims) if claims else []
    )
    # The inventory changes only once the whole document has been read.
    inv.documents.append(doc)
    inv.links.extend(links)
    inv.problems.extend(doc.problems)
    inv.claims.extend(found)


def _key(sentence: str) -> str:
    # Pull quotes repeat a sentence with quotes around it: those do not make it another claim.
    return sentence.strip(_KEY_EDGES).lower()


def find_claims(
    doc: Document,
    ex: Extraction,
    links: list[Link],
    lines: LineIndex,
    first_id: int = 1,
    *,
    fast: bool = False,
) -> list[Claim]:
    """Check-worthy sentences of a document, each with the links that source it."""
    blocks = [b for b in ex.blocks if b.role != "footnote"]
    # Imported here: the claim model loads numpy, which a links-only scan never needs.
    from citecheck.claims.detect import detect_all

    found_sentences = detect_all(_claim_texts(blocks), fast=fast)
    if not found_sentences:
        return []
    offsets = [link.offset for link in links]
    refs = sorted((r.offset, r.label) for r in ex.footnote_refs if r.label in ex.footnote_defs)
    ref_offsets = [r[0] for r in refs]
    by_key: dict[str, Claim] = {}
    found: list[Claim] = []
    for n, b_start, b_end, b_next, sentence, score, kinds in found_sentences:
        # Source offsets are worked out only for the check-worthy sentences.
        block = blocks[n]
        start = block.source_offset(b_start)
        end = block.source_offset(b_end - 1) + 1
        line, column = lines.line_col(start)
        key = _key(sentence)
        seen = by_key.get(key)
        if seen is not None:
            seen.locations.append(Location(doc.path, line, column))
            continue
        # A marker follows its sentence ("… years.[^1]", "… times."²): it belongs to the
        # sentence before it, up to where the next sentence (or block) begins.
        if b_next >= 0:
            marks_end = block.source_offset(b_next)
        else:
            marks_end = blocks[n + 1].anchors[0][1] if n + 1 < len(blocks) else len(doc.text)
        marks_end = max(end, marks_end)
        cited = _links_between(links, offsets, start, end)
        i = bisect_left(ref_offsets, start)
        while i < len(refs) and ref_offsets[i] < marks_end:
            fs, fe = ex.footnote_defs[refs[i][1]]
            cited.extend(_links_between(links, offsets, fs, fe))
            i += 1
        # Links inside the document itself (#section, ?page=2) are not sources.
        cited = list({c.id: c for c in cited if not (c.url or "").startswith(("#", "?"))}.values())
        claim = Claim(
            doc.path,
            line,
            column,
            sentence,
            kinds,
            round(score, 3),
            [c.id for c in cited],
            _status(cited),
            [Location(doc.path, line, column)],
            f"C{first_id + len(found)}",
        )
        by_key[key] = claim
        found.append(claim)
    return found


def _claim_texts(blocks: list[Block]) -> list[str]:
    """Each block's text, or "" for the items of a list of sources (after "References" and the
    like), so that block numbers stay those of `blocks`."""
    texts: list[str] = []
    references = False
    for b in blocks:
        if b.role == "item":
            texts.append("" if references else b.text)
            continue
        text = b.text.strip()
        references = len(text) <= 60 and _REFERENCE_LIST.fullmatch(text) is not None
        texts.append(b.text)
    return texts


def _links_between(links: list[Link], offsets: list[int], start: int, end: int) -> list[Link]:
    i = bisect_left(offsets, start)
    out = []
    while i < len(links) and offsets[i] < end:
        out.append(links[i])
        i += 1
    return out


def _status(cited: list[Link]) -> str:
    if not cited:
        return UNSOURCED
    if all(c.placeholder is not None for c in cited):
        return PLACEHOLDER
    return SOURCED
