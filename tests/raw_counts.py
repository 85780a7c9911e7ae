"""Numbers worked out by hand from a wave's raw answers.

Plain Python over the native long table (response id, question id, option id, text), so a
test can check the analysis, and the prose and docs that quote it, against numbers that
the code under test did not compute. Percentages are rounded in integers, halves up, as
the report promises its readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from hrta.responses import ResponseSet


@dataclass(frozen=True)
class Raw:
    eligible: frozenset[str]
    rows: tuple[tuple[str, str, str | None, str | None], ...]
    """Answers of eligible respondents: (response_id, question_id, option_id, value)."""

    @classmethod
    def of(cls, responses: ResponseSet) -> Raw:
        flags = zip(responses.respondents["response_id"].to_list(),
                    responses.respondents["eligible"].to_list(), strict=True)
        eligible = frozenset(rid for rid, ok in flags if ok)
        rows = tuple(row for row in responses.to_long().iter_rows()
                     if row[0] in eligible and row[1])
        return cls(eligible, rows)

    def who_answered(self, qid: str) -> set[str]:
        """Respondents with an option chosen, a rating given or non-blank text."""
        return {rid for rid, question, option, value in self.rows
                if question == qid and (option is not None or (value or "").strip())}

    def answered(self, qid: str) -> int:
        return len(self.who_answered(qid))

    def who_chose(self, qid: str, options: set[str] | frozenset[str] | tuple[str, ...]
                  ) -> set[str]:
        return {rid for rid, question, option, _ in self.rows
                if question == qid and option in options}

    def chose(self, qid: str, *options: str) -> int:
        return len(self.who_chose(qid, options))


def whole_percent(count: int, n: int) -> int:
    """100 * count / n to a whole number, halves up."""
    return (200 * count + n) // (2 * n)


def tenths(count: float, n: float) -> str:
    """100 * count / n to one decimal, halves up ("32.3")."""
    scaled = int((2000 * count + n) // (2 * n))
    return f"{scaled // 10}.{scaled % 10}"
