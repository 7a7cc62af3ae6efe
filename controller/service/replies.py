"""Reply models: what a use case answers, independent of any chat transport.

Pure data. Discord renders a ``Reply`` as an embed plus a view, the console
as a rich panel plus numbered choices. Button and select ids carry the
session id (``cloudops:<action>:<session>``) so a click still routes after a
restart: the front ends keep no state of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Colour(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    PROGRESS = "progress"


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"
    LINK = "link"


class RefusalKind(StrEnum):
    """Why a use case said no; front ends may style by it, tests assert on it."""

    NOT_ALLOWED = "not_allowed"
    QUOTA_EXCEEDED = "quota_exceeded"
    POLICY_DENIED = "policy_denied"
    SESSION_EXPIRED = "session_expired"
    STALE_PLAN = "stale_plan"
    LOCKED = "locked"
    UNKNOWN_PROJECT = "unknown_project"
    INVALID = "invalid"
    NOT_CONNECTED = "not_connected"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    APPLY_REFUSED = "apply_refused"
    FAILED = "failed"


class InputStyle(StrEnum):
    SHORT = "short"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Button:
    """``id`` is the action id; for a LINK button it is ignored and ``url`` is opened."""

    id: str
    label: str
    style: ButtonStyle = ButtonStyle.SECONDARY
    disabled: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Select:
    id: str
    placeholder: str
    options: tuple[Option, ...]
    disabled: bool = False


@dataclass(frozen=True)
class FormInput:
    """One text input of a form (a Discord modal has at most five)."""

    id: str
    label: str
    placeholder: str = ""
    default: str = ""
    required: bool = True
    style: InputStyle = InputStyle.SHORT
    max_length: int = 200


@dataclass(frozen=True)
class Form:
    """A modal: the front end collects ``inputs`` and submits them under ``id``."""

    id: str
    title: str
    inputs: tuple[FormInput, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    colour: Colour = Colour.INFO
    buttons: tuple[Button, ...] = ()
    selects: tuple[Select, ...] = ()
    ephemeral: bool = False
    form: Form | None = None  # when set, the front end opens this modal instead of a message
    attachments: tuple[Attachment, ...] = ()
    footer: str = ""
    refused: RefusalKind | None = None
    session: str = ""  # set when this reply *is* a lobby: front ends show it as the session's message
    private_note: str = ""  # shown only to the caller, even when the reply itself is public (a recovery code)

    def button(self, action: str) -> Button | None:
        """The button whose id has this action (``cloudops:<action>:…``)."""
        for b in self.buttons:
            if action_of(b.id) == action:
                return b
        return None

    def with_buttons(self, *buttons: Button) -> Reply:
        return replace(self, buttons=tuple(buttons))


PREFIX = "cloudops"


def component_id(action: str, session_id: str = "-", extra: str = "") -> str:
    """``cloudops:<action>:<session>[:<extra>]``: routable after a restart (Discord allows 100 chars)."""
    parts = [PREFIX, action, session_id] + ([extra] if extra else [])
    return ":".join(parts)


def parse_component_id(custom_id: str) -> tuple[str, str, str] | None:
    """``(action, session_id, extra)`` or None when the id is not ours."""
    parts = custom_id.split(":", 3)
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    return parts[1], parts[2], parts[3] if len(parts) > 3 else ""


def action_of(custom_id: str) -> str | None:
    parsed = parse_component_id(custom_id)
    return parsed[0] if parsed else None


def refusal(kind: RefusalKind, title: str, why: str, *, hint: str = "") -> Reply:
    """A specific, private refusal: what was refused, why, and what to do."""
    description = why + (f"\n\n{hint}" if hint else "")
    return Reply(title=title, description=description, colour=Colour.ERROR, ephemeral=True, refused=kind)


def info(title: str, description: str = "", *, fields: tuple[Field, ...] = (), ephemeral: bool = True) -> Reply:
    return Reply(title=title, description=description, fields=fields, colour=Colour.INFO, ephemeral=ephemeral)


def success(title: str, description: str = "", *, fields: tuple[Field, ...] = (), ephemeral: bool = False) -> Reply:
    return Reply(title=title, description=description, fields=fields, colour=Colour.SUCCESS, ephemeral=ephemeral)
