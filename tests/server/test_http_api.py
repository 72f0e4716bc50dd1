"""The read-only HTTP API through the real app (in process)."""

from __future__ import annotations

from tests.server.conftest import MakeClient
from voiceops.server.state import Settings
from voiceops.sim.stack import SimStack


def test_profiles_detail_and_prompt(make_client: MakeClient) -> None:
    client = make_client()
    rows = client.get("/v1/profiles").json()
    assert [r["name"] for r in rows] == ["appointments_en", "assistant_hi", "sales_en",
                                         "support_hi", "tech_support_en"]  # base is abstract
    support = next(r for r in rows if r["name"] == "support_hi")
    assert support["tts"] == {"provider": "sarvam", "model": "bulbul:v3", "voice": "priya"}
    detail = client.get("/v1/profiles/support_hi").json()
    assert detail["profile"]["llm"]["api_key"] == "${OPENAI_API_KEY}"
    assert detail["profile"]["llm"]["max_tokens"] == 300
    prompt = client.get("/v1/profiles/support_hi/prompt").json()
    assert prompt["system"].startswith("You are Asha") and "Namaste" in prompt["first_message"]
    missing = client.get("/v1/profiles/support_h")
    assert missing.status_code == 404
    assert missing.json()["error"]["hint"].startswith("did you mean 'support_hi'")


def test_catalog_routes(make_client: MakeClient) -> None:
    client = make_client()
    assert {p["name"] for p in client.get("/v1/llm/providers").json()} == {
        "openai", "anthropic", "sarvam", "openai_compatible"}
    models = client.get("/v1/llm/models?provider=anthropic").json()
    assert models and all(m["provider"] == "anthropic" for m in models)
    voices = client.get("/v1/tts/voices?provider=sarvam&gender=female&search=anu").json()
    assert [v["id"] for v in voices] == ["anushka"]
    tts = {m["id"]: m for m in client.get("/v1/tts/models?provider=sarvam").json()}
    assert "bulbul:v2" not in tts  # retired: not offered for new profiles
    assert tts["bulbul:v3"]["tuning"]["pace"]["max"] == 2.0


def test_preview_returns_wav(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    client = make_client()
    response = client.post("/v1/tts/preview", json={"profile": "support_hi",
                                                     "tuning": {"pace": 1.5}})
    assert response.status_code == 200 and response.content[:4] == b"RIFF"
    body = sims.sarvam_state.last("/text-to-speech").body
    assert body["pace"] == 1.5 and body["speaker"] == "priya"
    bad = client.post("/v1/tts/preview", json={"provider": "elevenlabs", "voice": "nope"})
    assert bad.status_code == 502 and "voice" in bad.json()["error"]["message"]
    assert client.post("/v1/tts/preview", content=b"[",
                       headers={"Content-Type": "application/json"}).status_code == 400


def test_metrics_and_errors_are_json(make_client: MakeClient) -> None:
    client = make_client()
    assert "voiceops_sessions_live 0.0" in client.get("/metrics").text
    response = client.get("/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_token_guards_the_api_but_not_health(make_client: MakeClient) -> None:
    client = make_client(Settings(default_profile="support_hi", reload=False, token="t0k"))
    assert client.get("/v1/profiles").status_code == 401
    assert client.get("/v1/profiles", headers={"Authorization": "Bearer t0k"}).status_code == 200
    assert client.get("/healthz").status_code == 200
