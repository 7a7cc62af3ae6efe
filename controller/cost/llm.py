"""An optional LLM retelling of the narrative, trusted only as far as its numbers check out.

When ``CLOUDOPS_LLM_URL`` and ``CLOUDOPS_LLM_MODEL`` are set (``CLOUDOPS_LLM_API_KEY``
optional), the story's computed figures go to an OpenAI-compatible
``/v1/chat/completions`` endpoint with a strict timeout. The answer must be a
JSON object ``{"story": "..."}`` (checked against ``ANSWER_SCHEMA``) and every
number in it must be one of the figures sent, as they are or rounded. Anything
else (timeout, HTTP error, bad JSON, a number that is not ours) and the
deterministic narrative stands; ``Rewrite.reason`` says why.

What is sent: totals, counts, savings, energy figures, resource addresses and
types, recommendation titles. Never a resource's before/after values, so no
sensitive value can leave; the API key goes only in the Authorization header.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # aiohttp and jsonschema are imported where used: `cloudops cost` never pays for them
    import aiohttp

from ..errors import CloudOpsError
from . import narrative
from .narrative import Story
from .render import money

ENV_URL, ENV_MODEL, ENV_KEY, ENV_TIMEOUT = ("CLOUDOPS_LLM_URL", "CLOUDOPS_LLM_MODEL", "CLOUDOPS_LLM_API_KEY",
                                            "CLOUDOPS_LLM_TIMEOUT")
DEFAULT_TIMEOUT = 10.0
MAX_STORY = 4000
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"story": {"type": "string", "minLength": 1, "maxLength": MAX_STORY}},
    "required": ["story"],
    "additionalProperties": False,
}
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?")
_FORBIDDEN = ("@everyone", "@here", "<script", "](javascript:")


@dataclass(frozen=True)
class LlmConfig:
    url: str  # base URL (…/v1/chat/completions is appended unless already there)
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LlmConfig | None:
        env = os.environ if env is None else env
        url, model = env.get(ENV_URL, "").strip(), env.get(ENV_MODEL, "").strip()
        if not url or not model:
            return None
        try:
            timeout = float(env.get(ENV_TIMEOUT, DEFAULT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_TIMEOUT
        return cls(url, model, env.get(ENV_KEY) or None, min(max(timeout, 0.1), 60.0))

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        if base.endswith("/chat/completions"):
            return base
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")


@dataclass(frozen=True)
class Rewrite:
    markdown: str  # what to show: the retelling, or the deterministic narrative
    used_llm: bool
    reason: str = ""  # why the deterministic narrative stands


class AnswerRejected(CloudOpsError):
    """The endpoint answered, but not with something we may show."""


# --- the prompt: computed figures and names only --------------------------------------------


def facts(story: Story) -> dict[str, Any]:
    """What the model may know: figures as text, addresses and types, nothing from resource values."""
    est, b, fp, en = story.estimate, story.blast, story.footprint, story.energy
    return {
        "monthly_cost_usd": {"before": money(est.before), "after": money(est.after), "change": money(est.delta)},
        "not_priced_resources": [r.address for r in est.not_priced],
        "coffee": {"price_usd": money(story.config.coffee_price), "cups_per_month": narrative.whole(story.coffees),
                   "cups_for_this_change": narrative.whole(abs(story.coffees_delta))},
        "compute": {"machines": narrative.whole(fp.machine_count), "vcpu": narrative.whole(fp.vcpus),
                    "memory_gb": narrative.whole(fp.memory_gb), "laptops": narrative.tenth(fp.laptops),
                    "laptop_yardstick": "8 vCPU / 16 GB"},
        "changes": [{"address": r.address, "type": r.type, "action": r.action.value} for r in est.changed],
        "blast_radius": {"public": list(b.public), "databases": [{"address": a, "action": x.value} for a, x in b.databases],
                         "deleted": list(b.deletions), "replaced": list(b.replacements)},
        "treasure_hunt": [{"title": r.title, "address": r.address, "caveat": r.caveat,
                           "saving": (f"{money(r.monthly_saving)} per month" if r.monthly_saving is not None else
                                      f"{money(r.saving_per_unit * narrative.PER_GB_SHOWN)} per month per 1,000 GB")}
                          for r in story.treasure],
        "potential_saving_per_month": money(story.potential_saving),
        "footprint": {"kwh_per_month": narrative.tenth(en.kwh), "kg_co2e_per_month": narrative.tenth(en.co2e_kg),
                      "vcpu_hours": narrative.whole(fp.vcpu_hours), "basis": "compute only, 50% load, Cloud Carbon Footprint"},
    }


SYSTEM = ("You are the Cloud Dungeon Master: you retell a Terraform change's cost for a pull request, vividly "
          "and briefly (under 250 words, Markdown allowed). Use ONLY the numbers given, written as given; "
          "do not compute new ones, do not add dates or versions. Mention the blast radius and the top "
          'saving if any. Answer with a JSON object {"story": "..."} and nothing else.')


def messages(story: Story) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": json.dumps(facts(story), ensure_ascii=False, sort_keys=True)}]


# --- checking the answer -----------------------------------------------------------------


def numbers_in(text: str, identifiers: Iterable[str] = ()) -> list[str]:
    """Numbers as written, after removing names that contain digits (e2-standard-4, web_1)."""
    for name in sorted(set(identifiers), key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    return _NUMBER.findall(text)


def _matches(written: str, figure: Decimal) -> bool:
    try:
        value = Decimal(written.replace(",", ""))
    except InvalidOperation:
        return False
    exponent = value.as_tuple().exponent
    places = Decimal(1).scaleb(min(int(exponent), 0))  # "12.50" -> 0.01, "25" -> 1
    figure = abs(figure)
    if value == 0:
        return figure == 0
    return any(figure.quantize(places, rounding=mode) == value for mode in (ROUND_HALF_UP, ROUND_DOWN))


def unknown_numbers(text: str, figures: Sequence[Decimal], identifiers: Iterable[str] = ()) -> list[str]:
    """The numbers in ``text`` that match no figure (formatting and rounding tolerated)."""
    return [n for n in numbers_in(text, identifiers) if not any(_matches(n, f) for f in figures)]


def parse_answer(body: Any, story: Story) -> str:
    """The story text of a chat-completions response, or AnswerRejected saying why not."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise AnswerRejected(f"no choices[0].message.content in the response ({exc!r})") from None
    if not isinstance(content, str):
        raise AnswerRejected("message content is not text")
    try:
        answer = json.loads(content.strip().removeprefix("```json").removesuffix("```"))
    except ValueError as exc:
        raise AnswerRejected(f"message content is not JSON ({exc})") from None
    import jsonschema

    try:
        jsonschema.validate(answer, ANSWER_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise AnswerRejected(f"answer does not match the schema: {exc.message}") from None
    text: str = answer["story"].strip()
    if any(bad in text.lower() for bad in _FORBIDDEN):
        raise AnswerRejected("answer holds a mention or markup we do not post")
    wrong = unknown_numbers(text, narrative.figures(story), narrative.identifiers(story))
    if wrong:
        raise AnswerRejected(f"numbers not among the computed figures: {', '.join(wrong[:5])}")
    return text


def retold(story: Story, text: str, model: str) -> str:
    return "\n".join([narrative.MARKER, "### 🎲 The Cloud Dungeon Master", "", text, "",
                      f"<sub>Told by {model} from the computed figures above; every number checked.</sub>", ""])


async def rewrite(story: Story, config: LlmConfig | None, *, session: aiohttp.ClientSession | None = None) -> Rewrite:
    """The LLM's retelling when configured and valid, else the deterministic narrative."""
    fallback = narrative.markdown(story)
    if config is None:
        return Rewrite(fallback, False, "no LLM configured")
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    payload = {"model": config.model, "messages": messages(story), "temperature": 0.2,
               "response_format": {"type": "json_object"}}

    import aiohttp

    timeout = aiohttp.ClientTimeout(total=config.timeout)
    own = session is None
    client = session or aiohttp.ClientSession()
    try:
        async with client.post(config.endpoint, json=payload, headers=headers, timeout=timeout) as resp:
            if resp.status != 200:
                return Rewrite(fallback, False, f"asking {config.endpoint}: HTTP {resp.status}")
            body = await resp.json(content_type=None)
        text = parse_answer(body, story)
    except TimeoutError:
        return Rewrite(fallback, False, f"asking {config.endpoint}: no answer within {config.timeout:g} s")
    except (aiohttp.ClientError, ValueError) as exc:
        return Rewrite(fallback, False, f"asking {config.endpoint}: {type(exc).__name__}")
    except AnswerRejected as exc:
        return Rewrite(fallback, False, str(exc))
    finally:
        if own:
            await client.close()
    return Rewrite(retold(story, text, config.model), True)
