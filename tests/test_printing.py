"""Row heights for wrapped text: lines counted as a spreadsheet fills them, word by word."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from xlscorecard.xlsx.printing import LINE_POINTS, PADDING_POINTS, characters_per_line, row_height, wrapped_lines


def lines_word_by_word(text: str, per_line: int) -> list[str]:
    """The lines themselves, filled one word at a time; a word longer than a line is broken."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) <= per_line:
                current += " " + word
                continue
            if current:
                lines.append(current)
            while len(word) > per_line:
                lines.append(word[:per_line])
                word = word[per_line:]
            current = word
        lines.append(current)
    return lines


words = st.text(alphabet="abcxyz%(),.-", min_size=1, max_size=70)
gaps = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", " \n "])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(words, gaps), max_size=40))
    return "".join(word + gap for word, gap in parts)


@given(texts(), st.sampled_from([1, 2, 5, 7.5, 8, 12, 16, 24, 42, 60, 100]), st.sampled_from([9.0, 11.0, 14.0]))
@example("x" * 60, 61, 11.0)  # a word exactly one line long
@example("x" * 120 + " yy", 61, 11.0)  # exactly two lines of a long word, then a word
@example("aa " + "x" * 130, 61, 11.0)  # a long word after a short one starts a new line
def test_lines_are_those_of_filling_word_by_word(text: str, width: float, font_size: float) -> None:
    per_line = characters_per_line(width, font_size)
    assert wrapped_lines(text, width, font_size) == len(lines_word_by_word(text, per_line))


def test_a_row_is_as_tall_as_its_longest_wrapped_text() -> None:
    comment = "The dip in timescales is due to staffing pressures during the summer period. " * 3
    expected_lines = len(lines_word_by_word(comment, characters_per_line(30)))
    assert expected_lines > 3
    height = row_height([("1.6", 6), (0.85, 8), (comment, 30), ("Short", 30)])
    assert height == LINE_POINTS * expected_lines + PADDING_POINTS
    assert row_height([(123456789012345.0, 2), ("", 2), (None, 2)]) == LINE_POINTS + PADDING_POINTS
