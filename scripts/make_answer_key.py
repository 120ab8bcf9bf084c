"""Write the teacher's answer key (book/answer_key.md) from the teaching chapter (notebooks/teaching.md).

The key is a page of its own, to print: every exercise's statement and its solution, open, in the
order of the chapter, with the code that computes the solution. Its numbers are the teaching
chapter's own glued values (``{glue:text}`` across documents), so the key cannot disagree with the
chapter. Run by hand after changing an exercise: `python scripts/make_answer_key.py`;
tests/test_book_structure.py checks that the key is up to date.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "teaching.md"
TARGET = ROOT / "book" / "answer_key.md"
GLUE = re.compile(r"\{glue:text\}`([A-Za-z0-9_]+)`")
#: A {doc} link relative to notebooks/ (no ../ and no leading /), with or without a title.
DOC = re.compile(r"\{doc\}`(?:([^`<]*?) <)?(?!\.\./|/)([\w-]+)>?`")

HEADER = """(answer-key)=
# Teacher's answer key

The answers to the {doc}`exercises <../notebooks/teaching>`, each with its question, for the
teacher to print (the students' page prints without its solutions). Every number here is the one
the teaching chapter computes when the book is built; the code under each answer is the tested
function that computes it. *This page is written by `scripts/make_answer_key.py` from the teaching
chapter: edit the chapter, not this page.*
"""


def _glued(text: str) -> str:
    """The chapter's glue keys read from the chapter's page, and its links to chapters made relative to book/."""
    text = GLUE.sub(lambda m: "{glue:text}`../notebooks/teaching.md::" + m.group(1) + ":s`", text)
    return DOC.sub(lambda m: "{doc}`" + (f"{m.group(1)} <../notebooks/{m.group(2)}>" if m.group(1) else f"../notebooks/{m.group(2)}") + "`", text)


def exercises(source: str) -> list[dict]:
    """Each exercise: title, label, statement, solution prose and the code that computes it."""
    found = []
    pattern = re.compile(r"```\{exercise\} (?P<title>[^\n]+)\n:label: (?P<label>[\w-]+)\n(?P<statement>.*?)\n```\n"
                         r"\s*```\{solution-start\} (?P=label)\n(?::[^\n]*\n)*```\n(?P<solution>.*?)```\{solution-end\}\n```",
                         re.S)
    for match in pattern.finditer(source):
        solution = match.group("solution")
        code = re.findall(r"```\{code-cell\} ipython3\n(?::[^\n]*\n)*\n?(.*?)```\n", solution, re.S)
        prose = re.sub(r"```\{code-cell\} ipython3\n.*?```\n", "", solution, flags=re.S).strip()
        found.append({"title": match.group("title").strip(), "label": match.group("label"),
                      "statement": match.group("statement").strip(), "solution": prose,
                      "code": [c.strip() for c in code if c.strip()]})
    return found


def answer_key(source: str) -> str:
    parts = [HEADER]
    for number, exercise in enumerate(exercises(source), start=1):
        parts.append(f"\n(key-{exercise['label']})=\n## {number}. {exercise['title']}\n\n"
                     f"**Question** ({{ref}}`on the students' page <{exercise['label']}>`). {_glued(exercise['statement'])}\n\n"
                     f"**Answer.** {_glued(exercise['solution'])}\n")
        for code in exercise["code"]:
            parts.append(f"\n```python\n{code}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    TARGET.write_text(answer_key(SOURCE.read_text()))
    print(f"wrote {TARGET.relative_to(ROOT)}")
