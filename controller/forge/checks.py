"""Check run contents, kept within the Checks API's limits (pure: no I/O).

GitHub answers 422 to a check run whose output summary or text is over
65,535 characters, to more than 50 annotations in one request, and to
action labels, descriptions or identifiers over 20/40/20 characters. A plan
can be far longer than that, so it is cut here — at a line, with a note
saying so — rather than have the check never appear. Annotations beyond the
first request are sent in further batches of 50 (they accumulate on GitHub).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from .base import CheckAction, CheckAnnotation, CheckRunSpec

MAX_OUTPUT_CHARS = 65535
MAX_TITLE_CHARS = 255
MAX_ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATION_MESSAGE = 64 * 1024 - 1
MAX_ACTIONS = 3
_ACTION_LIMITS = {"label": 20, "description": 40, "identifier": 20}


def cut(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """``text`` if it fits, else its first lines and a note of how much was left out."""
    if len(text) <= limit:
        return text
    note = "\n\n… output cut to fit GitHub's 65,535-character limit; the pull request comment has all of it."
    head = text[: limit - len(note)]
    if "\n" in head:
        head = head[: head.rindex("\n")]
    return head + note


def check_action(action: CheckAction) -> CheckAction:
    for name, limit in _ACTION_LIMITS.items():
        value = getattr(action, name)
        if not value or len(value) > limit:
            raise ValueError(f"check run action {name} must be 1-{limit} characters, got {value!r}")
    return action


def fit(spec: CheckRunSpec) -> CheckRunSpec:
    """The spec with title, summary, text and annotation messages within GitHub's limits."""
    if len(spec.actions) > MAX_ACTIONS:
        raise ValueError(f"a check run has at most {MAX_ACTIONS} actions, got {len(spec.actions)}")
    for action in spec.actions:
        check_action(action)
    title = " ".join(spec.title.split())
    annotations = tuple(
        replace(a, message=cut(a.message, MAX_ANNOTATION_MESSAGE), title=a.title[:MAX_TITLE_CHARS],
                start_line=max(1, a.start_line), end_line=max(max(1, a.start_line), a.end_line))
        for a in spec.annotations)
    return replace(spec, title=title[: MAX_TITLE_CHARS - 1] + "…" if len(title) > MAX_TITLE_CHARS else title,
                   summary=cut(spec.summary), text=cut(spec.text) if spec.text is not None else None,
                   annotations=annotations)


def batches(annotations: Sequence[CheckAnnotation]) -> Iterator[list[CheckAnnotation]]:
    """Annotations in request-sized batches (none at all: one empty batch)."""
    if not annotations:
        yield []
        return
    for start in range(0, len(annotations), MAX_ANNOTATIONS_PER_REQUEST):
        yield list(annotations[start: start + MAX_ANNOTATIONS_PER_REQUEST])


def annotation_json(a: CheckAnnotation) -> dict[str, object]:
    doc: dict[str, object] = {"path": a.path, "start_line": a.start_line, "end_line": a.end_line,
                              "annotation_level": a.level, "message": a.message}
    if a.title:
        doc["title"] = a.title
    if a.raw_details:
        doc["raw_details"] = a.raw_details
    return doc
