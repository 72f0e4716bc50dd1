"""Chunking: Markdown by headings then paragraphs, text by paragraphs, stable ids, first lines,
a size cap with long paragraphs split at sentence ends."""

from __future__ import annotations

from voiceops.knowledge.chunking import MAX_CHUNK_CHARS, chunk_file, chunk_markdown, chunk_text

DOC = """# Plans

Prices include GST.

## Basic 199

The Basic plan costs ₹199.

```
## not a heading inside a fence
```

## सिम कार्ड खो जाए तो?

तुरंत 198 पर कॉल करें।
"""


def test_markdown_is_cut_at_headings_with_first_lines_and_heading_context() -> None:
    chunks = chunk_markdown(DOC)
    assert [(c.line, c.text.splitlines()[0]) for c in chunks] == [
        (1, "# Plans"), (5, "## Basic 199"), (13, "## सिम कार्ड खो जाए तो?")]
    assert "## not a heading inside a fence" in chunks[1].text
    assert chunks[1].context == "Plans Basic 199"
    assert chunks[1].key.startswith("basic-199-")
    assert chunks[2].key.startswith("सिम-कार्ड-खो-जाए-तो-")


def test_ids_are_stable_and_change_only_where_the_text_changes() -> None:
    before = chunk_markdown(DOC)
    after = chunk_markdown(DOC.replace("₹199", "₹209"))
    assert chunk_markdown(DOC) == before
    assert [a.key == b.key for a, b in zip(before, after, strict=True)] == [True, False, True]


def test_plain_text_is_cut_into_paragraphs_keyed_by_ordinal() -> None:
    text = "first paragraph\nstill first\n\n\nsecond one\n"
    chunks = chunk_text(text)
    assert [c.text for c in chunks] == ["first paragraph\nstill first\n\nsecond one"]
    long = "\n\n".join(f"para {n} " + "x" * 500 for n in range(3))
    cut = chunk_text(long)
    assert [c.line for c in cut] == [1, 3, 5]
    assert [c.key.split("-")[0] for c in cut] == ["p1", "p2", "p3"]


def test_a_long_paragraph_is_split_at_sentence_ends_under_the_cap() -> None:
    sentence = "यह एक लंबा वाक्य है जिसमें कई शब्द हैं। "
    paragraph = (sentence * 60).strip()
    chunks = chunk_file("faq_hi.txt", "intro\n\n" + paragraph)
    assert len(chunks) > 2
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(c.text.endswith("।") for c in chunks[1:])


def test_a_huge_word_is_still_cut() -> None:
    chunks = chunk_text("a" * (MAX_CHUNK_CHARS * 2 + 5))
    assert [len(c.text) for c in chunks] == [MAX_CHUNK_CHARS, MAX_CHUNK_CHARS, 5]


def test_split_pieces_keep_their_own_first_line() -> None:
    lines = [f"Sentence number {n} is here and it is long enough to matter." for n in range(40)]
    chunks = chunk_text("\n".join(lines))
    assert chunks[0].line == 1
    for chunk in chunks:
        assert lines[chunk.line - 1].startswith(chunk.text.split(".")[0])


def test_a_heading_with_nothing_under_it_is_no_passage_of_its_own() -> None:
    chunks = chunk_markdown("# Acme FAQ\n\n## Balance\n\nDial *121#.\n")
    assert [(c.line, c.text, c.context) for c in chunks] == [
        (3, "## Balance\n\nDial *121#.", "Acme FAQ Balance")]
