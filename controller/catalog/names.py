"""Name rules: what a user-supplied name may look like, per target and kind.

Pure functions. Every name passes two gates: the hostile-input gate (quotes,
newlines, template sequences, path separators, ``..``, non-ASCII look-alikes)
and the provider's own length and character rules. Each returns the rule that
was broken, or ``None``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from .specs import Kind, Target


@dataclass(frozen=True)
class NameRule:
    pattern: str
    min_len: int
    max_len: int
    description: str
    forbidden_substrings: tuple[str, ...] = ()

    def check(self, value: str) -> str | None:
        if not self.min_len <= len(value) <= self.max_len:
            return f"length {len(value)} is outside {self.min_len}-{self.max_len} ({self.description})"
        if not re.fullmatch(self.pattern, value):
            return self.description
        for bad in self.forbidden_substrings:
            if bad in value:
                return f"must not contain {bad!r} ({self.description})"
        return None


_RFC1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_GCP = NameRule(_RFC1035, 1, 63, "GCP names follow RFC 1035: lowercase letters, digits and hyphens, start with a letter, end with a letter or digit, 1-63 characters")
_LOWER_DNS = NameRule(_RFC1035, 1, 63, "lowercase letters, digits and hyphens, start with a letter, end with a letter or digit, 1-63 characters")

NAME_RULES: dict[tuple[Target, Kind], NameRule] = {
    (Target.GCP, Kind.VM): _GCP,
    (Target.GCP, Kind.DATABASE): _GCP,
    (Target.GCP, Kind.NETWORK): _GCP,
    (Target.GCP, Kind.BUCKET): NameRule(
        r"[a-z0-9][a-z0-9_-]*[a-z0-9]", 3, 63,
        "Cloud Storage bucket names: 3-63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit, without 'goog' or 'google'",
        ("goog",),
    ),
    (Target.GCP, Kind.CLUSTER): NameRule(_RFC1035, 1, 40, "GKE cluster names: RFC 1035, lowercase letters, digits and hyphens, start with a letter, 1-40 characters"),
    (Target.AWS, Kind.VM): _LOWER_DNS,
    (Target.AWS, Kind.DATABASE): NameRule(
        r"[a-z][a-z0-9-]*[a-z0-9]|[a-z]", 1, 63,
        "RDS identifiers: 1-63 lowercase letters, digits and hyphens, start with a letter, no two consecutive hyphens, not ending with a hyphen",
        ("--",),
    ),
    (Target.AWS, Kind.NETWORK): _LOWER_DNS,
    (Target.AWS, Kind.BUCKET): NameRule(
        r"[a-z0-9][a-z0-9.-]*[a-z0-9]", 3, 63,
        "S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no '..', '.-' or '-.', not an IP address, no 'xn--' prefix or '-s3alias' suffix",
        ("..", ".-", "-.", "-s3alias"),
    ),
    (Target.AWS, Kind.CLUSTER): NameRule(r"[a-z0-9][a-z0-9_-]*", 1, 100, "EKS cluster names: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit (lowercase here)"),
    (Target.AZURE, Kind.VM): NameRule(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", 1, 64, "Azure Linux VM names: 1-64 lowercase letters, digits and hyphens, not starting or ending with a hyphen"),
    (Target.AZURE, Kind.DATABASE): NameRule(r"[a-z0-9][a-z0-9-]*[a-z0-9]", 3, 63, "Azure flexible server names: 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen"),
    (Target.AZURE, Kind.NETWORK): NameRule(r"[a-z0-9][a-z0-9-]*[a-z0-9]", 2, 64, "Azure virtual network names: 2-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit (no underscores here)"),
    (Target.AZURE, Kind.BUCKET): NameRule(r"[a-z0-9]+", 3, 24, "Azure storage account names: 3-24 lowercase letters and digits only"),
    (Target.AZURE, Kind.CLUSTER): NameRule(r"[a-z0-9]([a-z0-9_-]*[a-z0-9])?", 1, 63, "AKS cluster names: 1-63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit"),
}
for _kind in Kind:
    NAME_RULES[(Target.LOCAL, _kind)] = _LOWER_DNS

PROJECT_RULE = NameRule(_RFC1035, 1, 40, "project names: lowercase letters, digits and hyphens, start with a letter, 1-40 characters")
LABEL_KEY_RULE = NameRule(r"[a-z][a-z0-9_-]*", 1, 63, "label keys: 1-63 lowercase letters, digits, hyphens and underscores, starting with a letter")
LABEL_VALUE_RULE = NameRule(r"[a-z0-9_-]*", 0, 63, "label values: up to 63 lowercase letters, digits, hyphens and underscores")
REQUESTER_RULE = NameRule(r"[a-z0-9][a-z0-9_-]*", 1, 63, "requester ids are label values: 1-63 lowercase letters, digits, hyphens and underscores")


def hostile(value: object) -> str | None:
    """The first reason ``value`` can never be a name, whatever the provider."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    for char in value:
        if not char.isascii():
            try:
                char_name = unicodedata.name(char)
            except ValueError:
                char_name = "unnamed character"
            return f"contains non-ASCII character U+{ord(char):04X} {char_name}; only ASCII is accepted (look-alike letters are refused)"
    if any(c in value for c in "\"'`"):
        return "must not contain quotes"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "must not contain newlines or control characters"
    if "${" in value or "%{" in value:
        return "must not contain template sequences '${' or '%{'"
    if "/" in value or "\\" in value:
        return "must not contain path separators"
    if ".." in value:
        return "must not contain '..'"
    if any(c.isspace() for c in value):
        return "must not contain spaces"
    return None


def check(rule: NameRule, value: object) -> str | None:
    """Hostile-input gate, then the rule."""
    problem = hostile(value)
    if problem is not None:
        return problem
    assert isinstance(value, str)
    problem = rule.check(value)
    if problem is None and rule is NAME_RULES[(Target.AWS, Kind.BUCKET)]:
        problem = _s3_extra(value)
    return problem


def _s3_extra(value: str) -> str | None:
    if value.startswith("xn--"):
        return "S3 bucket names must not start with 'xn--'"
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return None
    return "S3 bucket names must not be formatted as an IP address"


def check_name(target: Target, kind: Kind, value: object) -> str | None:
    return check(NAME_RULES[(Target(target), Kind(kind))], value)


def to_label_value(text: str) -> str:
    """Fold a free-form id (a chat username) into a valid label value."""
    folded = "".join(c if (c.isascii() and (c.isalnum() or c in "_-")) else "-" for c in text.lower())
    folded = folded.strip("-_")[:63] or "unknown"
    return folded
