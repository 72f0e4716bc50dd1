"""The provider simulators speak each API as PROVIDERS.md describes it: auth headers and
error shapes, paging, filters, and data drawn from the bundled snapshot plus extras."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.sim import SimServer, anthropic, elevenlabs, openai, sarvam
from voiceops.sim.voices import synthetic_voices

ANTHROPIC_HEADERS = {"x-api-key": anthropic.API_KEY, "anthropic-version": "2023-06-01"}
ELEVEN_HEADERS = {"xi-api-key": elevenlabs.API_KEY}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def snapshot_ids(provider: str) -> set[str]:
    catalog = BundledSnapshot().provider_catalog(provider)
    assert catalog is not None
    return {name for m in catalog.models for name in (m.id, *m.aliases)}


# --- OpenAI -------------------------------------------------------------------------------


def test_openai_lists_models_in_openais_shape(http: httpx.Client) -> None:
    with openai.serve() as sim:
        body = http.get(sim.base_url + "/models",
                        headers={"Authorization": f"Bearer {openai.API_KEY}"}).json()
    assert body["object"] == "list"
    ids = {m["id"] for m in body["data"]}
    assert all(set(m) == {"id", "object", "created", "owned_by"} for m in body["data"])
    assert "gpt-4o" in ids and "text-embedding-3-small" in ids
    assert "gpt-4o-audio-preview" not in ids  # the snapshot says it was retired
    assert set(openai.EXTRA_MODELS) - snapshot_ids("openai") <= ids  # drift to detect


def test_openai_refuses_a_wrong_key_with_its_error_json(http: httpx.Client) -> None:
    with openai.serve() as sim:
        wrong = http.get(sim.base_url + "/models",
                         headers={"Authorization": "Bearer sk-wrong-key-1234567890"})
        missing = http.get(sim.base_url + "/models")
    assert wrong.status_code == 401 and missing.status_code == 401
    error = wrong.json()["error"]
    assert error["code"] == "invalid_api_key" and error["type"] == "invalid_request_error"
    assert "7890" in error["message"]  # like OpenAI, it echoes part of the refused key
    assert "You didn't provide an API key" in missing.json()["error"]["message"]


# --- Anthropic ----------------------------------------------------------------------------


def test_anthropic_pages_newest_first_with_cursors(http: httpx.Client) -> None:
    with anthropic.serve() as sim:
        url = sim.url + "/v1/models"
        everything = http.get(url, params={"limit": 1000}, headers=ANTHROPIC_HEADERS).json()
        first = http.get(url, params={"limit": 5}, headers=ANTHROPIC_HEADERS).json()
        second = http.get(url, params={"limit": 5, "after_id": first["last_id"]},
                          headers=ANTHROPIC_HEADERS).json()
        back = http.get(url, params={"limit": 5, "before_id": second["first_id"]},
                        headers=ANTHROPIC_HEADERS).json()
    all_ids = [m["id"] for m in everything["data"]]
    assert everything["has_more"] is False
    dates = [m["created_at"] for m in everything["data"]]
    assert dates == sorted(dates, reverse=True)
    assert [m["id"] for m in first["data"] + second["data"]] == all_ids[:10]
    assert first["has_more"] and first["first_id"] == all_ids[0]
    assert back["data"] == first["data"]
    assert set(first["data"][0]) == {"type", "id", "display_name", "created_at", "lifecycle"}


def test_anthropic_checks_key_and_version_headers(http: httpx.Client) -> None:
    with anthropic.serve() as sim:
        url = sim.url + "/v1/models"
        no_version = http.get(url, headers={"x-api-key": anthropic.API_KEY})
        wrong_key = http.get(url, headers={**ANTHROPIC_HEADERS, "x-api-key": "nope"})
        bad_limit = http.get(url, params={"limit": 1001}, headers=ANTHROPIC_HEADERS)
    assert no_version.status_code == 400
    assert "anthropic-version" in no_version.json()["error"]["message"]
    assert wrong_key.status_code == 401
    assert wrong_key.json()["error"]["type"] == "authentication_error"
    assert bad_limit.status_code == 400


def test_anthropic_resolves_an_alias_to_its_model(http: httpx.Client) -> None:
    with anthropic.serve() as sim:
        found = http.get(sim.url + "/v1/models/claude-haiku-4-5", headers=ANTHROPIC_HEADERS)
        missing = http.get(sim.url + "/v1/models/claude-0", headers=ANTHROPIC_HEADERS)
    assert found.json()["id"] == "claude-haiku-4-5-20251001"
    assert missing.status_code == 404


# --- ElevenLabs ---------------------------------------------------------------------------


def eleven_pages(http: httpx.Client, url: str, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        page = http.get(url, params=query, headers=ELEVEN_HEADERS).json()
        pages.append(page)
        if not page["has_more"]:
            return pages
        query = {**params, "next_page_token": page["next_page_token"]}


def test_elevenlabs_v2_pages_by_token_up_to_100(http: httpx.Client) -> None:
    state = elevenlabs.ElevenLabsState(voices=synthetic_voices(250))
    with elevenlabs.serve(state) as sim:
        pages = eleven_pages(http, sim.url + "/v2/voices", page_size=100)
        too_big = http.get(sim.url + "/v2/voices", params={"page_size": 101},
                           headers=ELEVEN_HEADERS)
        bad_token = http.get(sim.url + "/v2/voices", params={"next_page_token": "x"},
                             headers=ELEVEN_HEADERS)
    assert [len(p["voices"]) for p in pages] == [100, 100, 50]
    assert pages[0]["total_count"] == 250
    ids = [v["voice_id"] for p in pages for v in p["voices"]]
    assert len(set(ids)) == 250
    assert too_big.status_code == 422
    assert bad_token.status_code == 400


def test_elevenlabs_filters_by_category_search_and_voice_type(http: httpx.Client) -> None:
    with elevenlabs.serve() as sim:
        url = sim.url + "/v2/voices"

        def names(**params: Any) -> set[str]:
            return {v.get("name") for p in eleven_pages(http, url, page_size=100, **params)
                    for v in p["voices"]}

        everyone = names()
        assert names(category="cloned") == {"Acme Support Priya"}
        assert names(search="narrator") == {"Narrator Nova"}
        assert names(voice_type="personal") == {"Acme Support Priya", "Narrator Nova",
                                                "Arjun Pro"}
        assert "Aria" in names(voice_type="default")
        assert names(voice_type="no-such-type") == everyone  # unknown: no filter
        assert "Legend Voice" in everyone  # category "famous": neither premade nor custom


def test_elevenlabs_voices_carry_labels_languages_and_previews(http: httpx.Client) -> None:
    with elevenlabs.serve() as sim:
        v1 = http.get(sim.url + "/v1/voices", headers=ELEVEN_HEADERS).json()["voices"]
        models = http.get(sim.url + "/v1/models", headers=ELEVEN_HEADERS).json()
        refused = http.get(sim.url + "/v1/voices", headers={"xi-api-key": "nope"})
    priya = next(v for v in v1 if v["name"] == "Acme Support Priya")
    assert priya["category"] == "cloned"
    assert priya["labels"]["accent"] == "indian"
    assert [lang["locale"] for lang in priya["verified_languages"]] == ["hi-IN", "en-IN"]
    assert priya["preview_url"].startswith("https://")
    assert {v["category"] for v in v1} >= {"premade", "cloned", "generated", "professional"}
    assert isinstance(models, list)
    assert {"eleven_flash_v2_5", "eleven_english_sts_v2"} <= {m["model_id"] for m in models}
    assert refused.status_code == 401
    assert refused.json()["detail"]["status"] == "invalid_api_key"


def test_synthetic_voices_are_deterministic_and_distinct() -> None:
    many = synthetic_voices(10_000)
    assert synthetic_voices(10_000) == many
    assert len({v["voice_id"] for v in many}) == 10_000
    assert len({v["name"] for v in many}) == 10_000
    assert synthetic_voices(10, seed=0) == many[:10]  # a longer list extends a shorter one
    assert synthetic_voices(10, seed=1) != many[:10]
    categories = {v["category"] for v in many}
    assert categories == {"premade", "cloned", "generated", "professional", "famous"}


# --- Sarvam -------------------------------------------------------------------------------


async def whoami(request: Request) -> Response:
    denied = sarvam.check_auth(request, sarvam.state(request).api_key)
    return denied or JSONResponse({"ok": True})


def test_sarvam_accepts_either_key_header_and_shapes_its_errors(http: httpx.Client) -> None:
    app = sarvam.create_app(routes=[Route("/whoami", whoami)])
    with SimServer(app, name="sarvam", error_body=sarvam.error_body) as sim:
        url = sim.url + "/whoami"
        by_header = http.get(url, headers={"api-subscription-key": sarvam.API_KEY})
        by_bearer = http.get(url, headers={"Authorization": f"Bearer {sarvam.API_KEY}"})
        wrong = http.get(url, headers={"api-subscription-key": "nope"})
        missing = http.get(url)
        sim.faults.fail(429)
        limited = http.get(url, headers={"api-subscription-key": sarvam.API_KEY})
    assert by_header.status_code == by_bearer.status_code == 200
    assert wrong.status_code == missing.status_code == 403  # facts.SARVAM_AUTH_FAILURE
    assert wrong.json()["error"]["code"] == "invalid_api_key_error"
    assert limited.status_code == 429 and "message" in limited.json()["error"]
