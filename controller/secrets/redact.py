"""Masking secrets in anything that leaves the controller. Pure, no I/O.

A ``Redactor`` knows three sources of secrets:

* literal values: every vault secret and the ``sensitive`` values of a plan
  (``plan_sensitive_values``), each also in the encodings it is likely to
  appear in: JSON-escaped, URL-encoded, base64 (standard and URL-safe);
* well-known token shapes: GitHub, AWS access key ids (and 40-character
  secrets next to them), Discord bot tokens, Slack tokens, private key PEM
  blocks, JWTs, and ``password=…``-style assignments;
* fragments of every literal secret (``fragments``): windows of a few
  characters of the secret, reversed, hex- and base64-encoded, matched
  case-insensitively, so ``upper()``, ``substr()``, a base64 prefix or a
  display truncation still get masked; a JSON credential's secret fields
  count as secrets of their own;
* nothing else: it is not a classifier, so a secret neither stored nor
  shaped like a token is the caller's to add.

Literals are one compiled alternation, longest first, searched as a lookahead
at every position so that overlapping occurrences (two secrets sharing
characters) are masked as one span: no tail of a secret survives. They are
masked before the token shapes run, so a shape that starts earlier (a
``password=`` right before a vault secret) cannot swallow half a secret and
leave the rest. Token shapes then run one by one, each only over texts that
contain a substring it cannot match without (``_TRIGGERS``).
Literals shorter than ``MIN_LITERAL`` are not masked: masking "1" or "true"
would garble every message and hide nothing. Literals are also masked upper-
and lower-cased (an ``IGNORECASE`` search of the trie is five times slower).

Wire-in points: PR comments, chat replies, run records, commit messages
(``redact``), structured payloads (``redact_data``), logs (``RedactingFilter``
on the handlers).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..terraform.plan import Plan
from .fragments import FragmentIndex, credential_fields

REDACTED = "‹redacted›"
MIN_LITERAL = 4

# Shapes of secrets that are recognisable without knowing them.
TOKEN_PATTERNS: dict[str, str] = {
    # The header, then only what a key body is made of (base64 lines, `Proc-Type:`-style headers, real or
    # JSON-escaped line breaks), then the footer if it is there: a key cut short masks itself, not the rest.
    "pem_private_key": (r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY-----"
                        r"(?:(?:\r?\n|(?:\\r)?\\n|[ \t]+)(?:(?:Proc-Type|DEK-Info|Comment): ?[^\r\n\\]{0,200}"
                        r"|[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}"
                        r"|[A-Za-z0-9+/]{1,15}(?=(?:\r?\n|(?:\\r)?\\n|[ \t]+)?-----END|\Z|…|[\"'\\])))*"
                        r"(?:(?:\r?\n|(?:\\r)?\\n|[ \t]+)?-----END[A-Z0-9 ]{0,40} PRIVATE KEY-----)?"),
    "github_token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
    "aws_access_key_id": r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
    "aws_secret_assignment": (r"(?P<aws_key>(?i:aws_?secret_?access_?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?)"
                              r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    "slack_token": r"\bxox[abposrce]-[A-Za-z0-9-]{10,}",
    "slack_app_token": r"\bxapp-[0-9]-[A-Za-z0-9-]{10,}",
    "discord_bot_token": r"\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b",
    "jwt": r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
    "password_assignment": (
        r"(?P<kv>(?i:(?:\b|(?<=_))(?:password|passwd|pwd|passphrase|secret|client_secret|api_?key|access_token|auth_token|token)"
        r"\b)[\"']?\s*[:=]\s*)(?!\(sensitive\)|‹redacted›)(?:\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|[^\s\"'&;,)}\]]+)"
    ),
}
# Substrings without which a shape cannot match (lower-cased ones are checked case-insensitively):
# each shape's regex runs only over texts that contain one, which spares most texts most passes.
_TRIGGERS: dict[str, tuple[str, ...] | None] = {
    "pem_private_key": ("PRIVATE KEY-----",),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "aws_access_key_id": ("AKIA", "ASIA", "ABIA", "ACCA"),
    "aws_secret_assignment": ("secret",),
    "slack_token": ("xox",),
    "slack_app_token": ("xapp-",),
    "discord_bot_token": None,
    "jwt": ("eyJ",),
    "password_assignment": ("pass", "pwd", "secret", "key", "token"),
}
_SHAPES = tuple((re.compile(TOKEN_PATTERNS[name]), triggers) for name, triggers in _TRIGGERS.items())
# A 40-character AWS secret is only recognisable next to its key id.
_AWS_KEY_ID = re.compile(TOKEN_PATTERNS["aws_access_key_id"])
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z0-9/+])[A-Za-z0-9/+]{40}"
                         r"(?![A-Za-z0-9/+=])")
AWS_SECRET_WINDOW = 300  # characters either side of an access key id


def variants(secret: str) -> set[str]:
    """The forms a secret takes when it is embedded in JSON, a URL, or base64-encoded."""
    forms = {secret, secret.upper(), secret.lower(), json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    raw = secret.encode()
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode()
        forms.update({text, text.rstrip("=")})
    if "\n" in secret:  # multi-line secrets (PEM keys) as written on Windows
        forms.add(secret.replace("\n", "\r\n"))
    return {f for f in forms if len(f) >= MIN_LITERAL}


@dataclass(frozen=True)
class Redactor:
    """Masks known secrets and token shapes; build once per set of secrets, use everywhere."""

    literals: frozenset[str] = frozenset()
    patterns: bool = True
    fragments: FragmentIndex = field(default_factory=FragmentIndex, repr=False, compare=False)
    _literal_regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.literals:
            object.__setattr__(self, "_literal_regex", re.compile(f"(?=({_alternation(self.literals)}))"))

    def __repr__(self) -> str:  # never the literals themselves
        return (f"<Redactor {len(self.literals)} literal forms, {len(self.fragments)} fragments, "
                f"patterns={'on' if self.patterns else 'off'}>")

    @classmethod
    def build(cls, secrets: Iterable[str] = (), *, patterns: bool = True) -> Redactor:
        """A redactor for ``secrets`` (each in all its ``variants``, and their fragments) and, by default, token shapes."""
        whole: set[str] = set()
        pieces: set[str] = set()  # what is masked by fragments too
        for secret in secrets:
            if not isinstance(secret, str) or len(secret) < MIN_LITERAL:
                continue
            whole.add(secret)
            fields = {f for f in credential_fields(secret) if len(f) >= MIN_LITERAL}
            # A JSON credential: its secret fields, not its field names and public ids, are fragmented.
            pieces |= fields or {secret}
            whole |= fields
        forms: set[str] = set()
        for secret in whole:
            forms |= variants(secret)
        return cls(frozenset(forms), patterns, FragmentIndex.of(pieces))

    def extended(self, secrets: Iterable[str]) -> Redactor:
        """This redactor plus more secrets (e.g. a plan's sensitive values for one run)."""
        more = Redactor.build(secrets, patterns=False)
        return Redactor(self.literals | more.literals, self.patterns, self.fragments | more.fragments)

    def redact(self, text: str) -> str:
        if not text:
            return text
        spans = self.fragments.spans(text)
        if self._literal_regex is not None:
            spans += [m.span(1) for m in self._literal_regex.finditer(text)]
        text = _mask_spans(text, spans)
        if not self.patterns:
            return text
        if "AKIA" in text or "ASIA" in text:
            text = _mask_aws_secrets_near_key_ids(text)
        lowered = text.lower()
        for regex, triggers in _SHAPES:
            if triggers is None or any(t in (lowered if t.islower() else text) for t in triggers):
                text = regex.sub(_replacement, text)
        return text

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def leaks(self, text: str) -> bool:
        """Whether ``text`` still holds something this redactor would mask (for assertions and guards)."""
        return self.redact(text) != text

    def redact_data(self, value: Any) -> Any:
        """A copy of decoded JSON (dicts, lists, strings) with every string redacted, keys included."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {self.redact(k) if isinstance(k, str) else k: self.redact_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.redact_data(v) for v in value]
        return value

    def redact_json(self, text: str) -> str:
        """A JSON document with its strings redacted; not JSON → redacted as text."""
        try:
            decoded = json.loads(text)
        except ValueError:
            return self.redact(text)
        return json.dumps(self.redact_data(decoded), ensure_ascii=False)


def _alternation(words: Iterable[str]) -> str:
    """One alternation matching the longest of ``words`` at a position, written as a prefix trie.

    A flat ``a|b|c…`` makes the engine try every word at every position (seconds
    per megabyte with a few hundred secrets); the trie follows one path and fails
    at the first character that no word continues with. Greedy optional groups
    keep "longest first".
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = True
    return _node_pattern(trie)


_END = ""  # a key no character equals: marks the end of a word in the trie


def _node_pattern(node: dict[str, Any]) -> str:
    run: list[str] = []
    while _END not in node and len(node) == 1:  # a chain without choices: plain text
        (char, node), = node.items()
        run.append(re.escape(char))
    branches = [re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char != _END]
    prefix = "".join(run)
    if not branches:
        return prefix
    if _END in node:
        return f"{prefix}(?:{'|'.join(branches)})?"
    return prefix + (branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})")


def _replacement(match: re.Match[str]) -> str:
    groups = match.groupdict()
    if groups.get("kv") is not None:
        quote = '"' if groups.get("dq") is not None else "'" if groups.get("sq") is not None else ""
        return f"{groups['kv']}{quote}{REDACTED}{quote}"
    if groups.get("aws_key") is not None:
        return groups["aws_key"] + REDACTED
    return REDACTED


def _mask_aws_secrets_near_key_ids(text: str) -> str:
    spans: list[tuple[int, int]] = []
    for key in _AWS_KEY_ID.finditer(text):
        start, end = max(0, key.start() - AWS_SECRET_WINDOW), key.end() + AWS_SECRET_WINDOW
        spans += [m.span() for m in _AWS_SECRET.finditer(text, start, min(len(text), end))]
    return _mask_spans(text, spans)


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span, overlapping or adjacent ones merged, replaced by one marker."""
    if not spans:
        return text
    out: list[str] = []
    last = start = end = -1
    for s, e in sorted(spans):
        if s <= end:  # overlaps or touches the current span: extend it
            end = max(end, e)
            continue
        if end >= 0:
            out += [text[last:start], REDACTED]
            last = end
        else:
            last = 0
        start, end = s, e
    out += [text[last:start], REDACTED, text[end:]]
    return "".join(out)


# --- sensitive values of a plan ----------------------------------------------------------

def plan_sensitive_values(plan: Plan) -> set[str]:
    """Every literal a plan marks sensitive: resource attributes, outputs, variables.

    Walks values beside their ``*_sensitive`` masks; strings and numbers are
    collected (as text), booleans and nulls are not (masking "true" helps no one).
    """
    found: set[str] = set()
    for rc in (*plan.resource_changes, *plan.resource_drift):
        _collect(rc.before, rc.before_sensitive, found)
        _collect(rc.after, rc.after_sensitive, found)
    for oc in plan.output_changes:
        if oc.sensitive:
            _collect(oc.before, True, found)
            _collect(oc.after, True, found)
    declared = (plan.configuration.get("root_module") or {}).get("variables") or {}
    for name, spec in plan.variables.items():
        if (declared.get(name) or {}).get("sensitive"):
            _collect((spec or {}).get("value"), True, found)
    for values in (plan.planned_values, (plan.prior_state or {}).get("values") or {}):
        for _name, output in ((values or {}).get("outputs") or {}).items():
            if isinstance(output, Mapping) and output.get("sensitive"):
                _collect(output.get("value"), True, found)
        _collect_module(values.get("root_module") if values else None, found)
    return found


def _collect_module(module: Any, found: set[str]) -> None:
    if not isinstance(module, Mapping):
        return
    for resource in module.get("resources") or ():
        if isinstance(resource, Mapping):
            _collect(resource.get("values"), resource.get("sensitive_values"), found)
    for child in module.get("child_modules") or ():
        _collect_module(child, found)


def _collect(value: Any, mask: Any, found: set[str]) -> None:
    if mask is True:
        _leaves(value, found)
    elif isinstance(value, Mapping) and isinstance(mask, Mapping):
        for key, sub in value.items():
            if key in mask:
                _collect(sub, mask[key], found)
    elif isinstance(value, (list, tuple)) and isinstance(mask, (list, tuple)):
        for sub, sub_mask in zip(value, mask):
            _collect(sub, sub_mask, found)


def _leaves(value: Any, found: set[str]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, (int, float)):
        found.add(str(value))
    elif isinstance(value, Mapping):
        for sub in value.values():
            _leaves(sub, found)
    elif isinstance(value, (list, tuple)):
        for sub in value:
            _leaves(sub, found)


# --- logging -----------------------------------------------------------------------------

class RedactingFilter(logging.Filter):
    """Redacts a record's message, arguments and traceback before any handler formats it.

    Attach to handlers (a logger's filters do not see records of its children).
    ``redactor`` may be a callable, so the filter follows a vault that changes.
    """

    def __init__(self, redactor: Redactor | Callable[[], Redactor]) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self._redactor if isinstance(self._redactor, Redactor) else self._redactor()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we can, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redactor.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.redact(record.stack_info)
        return True


def install_log_redaction(redactor: Redactor | Callable[[], Redactor],
                          logger: logging.Logger | None = None) -> RedactingFilter:
    """Add one ``RedactingFilter`` to every handler of ``logger`` (the root by default)."""
    target = logger or logging.getLogger()
    log_filter = RedactingFilter(redactor)
    for handler in target.handlers:
        handler.addFilter(log_filter)
    return log_filter
