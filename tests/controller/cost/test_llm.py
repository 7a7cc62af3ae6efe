"""The LLM retelling against a local OpenAI-compatible test server (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from controller.cost import llm, narrative, render
from controller.cost.estimate import estimate
from controller.terraform.plan_parser import parse_plan

from .conftest import change

PLANS = Path(__file__).parents[2] / "fixtures" / "plans"


@pytest.fixture
def story(make_plan):
    vm = {"machine_type": "e2-standard-4", "zone": "us-central1-a", "boot_disk": [{"initialize_params": [{"size": 10}]}]}
    plan = make_plan(change("google_compute_instance.web-1", "create", None, vm))
    return narrative.tell(plan, estimate(plan))


def completion(content: str) -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


class Endpoint:
    """A tiny /v1/chat/completions that answers what the test says and records what it got."""

    def __init__(self, reply: Any = None, status: int = 200, delay: float = 0.0) -> None:
        self.reply, self.status, self.delay = reply, status, delay
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        return web.json_response(self.reply)

    async def __aenter__(self) -> llm.LlmConfig:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return llm.LlmConfig(str(self.server.make_url("/")), "test-model", "sk-test-key", timeout=0.5)

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()


def good_story(story) -> str:
    est = story.estimate
    return (f"Behold: {render.money(est.after)} a month (was $0), about {narrative.whole(story.coffees)} coffees. "
            f"`google_compute_instance.web-1` runs e2-standard-4; the best option saves "
            f"${story.recommendations[0].monthly_saving:.2f} a month. Roughly {narrative.tenth(story.energy.co2e_kg)} kg CO2e.")


async def test_a_good_answer_is_used(story):
    endpoint = Endpoint()
    async with endpoint as config:
        endpoint.reply = completion(json.dumps({"story": good_story(story)}))
        told = await llm.rewrite(story, config)
    assert told.used_llm, told.reason
    assert good_story(story) in told.markdown and told.markdown.startswith(narrative.MARKER)
    headers, body = endpoint.requests[0]
    assert headers["Authorization"] == "Bearer sk-test-key" and body["model"] == "test-model"
    assert "sk-test-key" not in json.dumps(body)


async def test_an_answer_with_a_number_we_did_not_compute_is_rejected(story):
    wrong = good_story(story).replace(render.money(story.estimate.after), "$99.99")
    async with Endpoint(completion(json.dumps({"story": wrong}))) as config:
        told = await llm.rewrite(story, config)
    assert not told.used_llm and "99.99" in told.reason
    assert told.markdown == narrative.markdown(story)


@pytest.mark.parametrize("content", ["not json at all", json.dumps({"tale": "x"}), json.dumps({"story": ""}),
                                     json.dumps(["story"]), json.dumps({"story": "hi", "extra": 1})])
async def test_bad_json_falls_back(story, content):
    async with Endpoint(completion(content)) as config:
        told = await llm.rewrite(story, config)
    assert not told.used_llm and told.markdown == narrative.markdown(story)


async def test_a_response_without_choices_falls_back(story):
    async with Endpoint({"error": "nope"}) as config:
        told = await llm.rewrite(story, config)
    assert not told.used_llm and "choices" in told.reason


async def test_a_slow_endpoint_times_out_and_falls_back(story):
    async with Endpoint(completion(json.dumps({"story": good_story(story)})), delay=2.0) as config:
        told = await asyncio.wait_for(llm.rewrite(story, config), timeout=5)
    assert not told.used_llm and "within 0.5 s" in told.reason


async def test_http_500_falls_back(story):
    async with Endpoint(status=500) as config:
        told = await llm.rewrite(story, config)
    assert not told.used_llm and "HTTP 500" in told.reason and told.markdown == narrative.markdown(story)


async def test_no_configuration_means_no_request(story):
    told = await llm.rewrite(story, None)
    assert not told.used_llm and told.markdown == narrative.markdown(story)


async def test_the_prompt_holds_no_resource_values_and_no_secret():
    plan = parse_plan((PLANS / "null/create.json").read_text())
    story = narrative.tell(plan, estimate(plan))
    endpoint = Endpoint(completion(json.dumps({"story": "x"})))
    async with endpoint as config:
        await llm.rewrite(story, config)
    sent = json.dumps(endpoint.requests[0][1])
    assert "hunter2-s3cr3t-pw" not in sent
    assert "triggers" not in sent and '"before"' not in sent.replace('"before": "$', "")


@pytest.mark.parametrize(("written", "figure", "ok"), [
    ("$1,234.50", D("1234.5"), True), ("1234.5", D("1234.50"), True), ("1,235", D("1234.5"), True),
    ("1,234", D("1234.5"), True), ("12.34", D("12.345"), True), ("12.35", D("12.345"), True),
    ("12.36", D("12.345"), False), ("13", D("12.345"), False), ("0", D("0.3"), False), ("0", D("0"), True),
])
def test_number_matching_tolerates_formatting_and_rounding_only(written, figure, ok):
    assert (llm.unknown_numbers(written, [figure]) == []) is ok


def test_numbers_inside_names_are_not_checked():
    assert llm.numbers_in("e2-standard-4 in web-1 emits CO2", ["e2-standard-4", "web-1"]) == []
    assert llm.numbers_in("costs $12.50 for 3 VMs") == ["12.50", "3"]


def test_configuration_comes_from_the_environment():
    assert llm.LlmConfig.from_env({}) is None
    config = llm.LlmConfig.from_env({"CLOUDOPS_LLM_URL": "http://127.0.0.1:9/", "CLOUDOPS_LLM_MODEL": "m",
                                     "CLOUDOPS_LLM_API_KEY": "k"})
    assert config is not None and config.endpoint == "http://127.0.0.1:9/v1/chat/completions"
    assert config.api_key == "k" and "api_key" not in repr(config)
