"""The browser console (`voiceops run` serves it at /) in a real headless Chromium, driven by
Playwright, against a daemon on the simulators: profiles, the voice gallery and its preview,
typed and push-to-talk turns with latency, reload banners, the token prompt, a dead daemon.

Without Playwright or a Chromium these tests skip, saying why (`.ci/console-deps` installs
both). Screenshots go to `<basetemp>/console-screenshots/`; the profiles view also goes to
`docs/console.png` for the README."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.console.conftest import DOCS_SCREENSHOT, WAIT_MS
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "console-screenshots"
    folder.mkdir(exist_ok=True)
    print(f"console screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("console-project")
    scaffold(root)
    return root


@pytest.fixture(scope="module")
def daemon(browser: Any, project: Path) -> Iterator[DaemonProcess]:
    with DaemonProcess(project, ["support_hi", "--sim"]) as running:
        yield running


def open_page(browser: Any, url: str, width: int = 1280, height: int = 800) -> tuple[Any, Any,
                                                                                          list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write", "microphone"], origin=url)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/")
    return context, page, errors


@pytest.fixture
def page(browser: Any, daemon: DaemonProcess) -> Iterator[Any]:
    context, opened, errors = open_page(browser, daemon.http_url)
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def rows(page: Any, table: str) -> int:
    return int(page.locator(f"{table} tbody tr").count())


def screenshot(page: Any, path: Path, full_page: bool = False) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page)


def test_profiles_list_with_effective_config_prompt_and_first_message(page: Any,
                                                                     shots: Path) -> None:
    page.wait_for_selector("tr[data-profile='support_hi']:has-text('Priya')")  # named
    assert rows(page, "#profiles-table") == 5
    row = page.locator("tr[data-profile='support_hi']")
    for text in ("openai", "gpt-5.4-mini", "sarvam", "Priya", "bulbul:v3", "hi-IN", "v1-"):
        assert text in row.inner_text()
    page.wait_for_selector("#sim-badge", state="visible")
    assert page.locator("#config-version").inner_text().startswith("config v1-")

    page.get_by_role("button", name="support_hi", exact=True).click()
    config = page.locator(".config-view")
    config.wait_for()
    assert "voice: priya" in config.inner_text()
    assert "${OPENAI_API_KEY}" in config.inner_text()  # a reference, never a key
    assert "You are Asha" in page.locator(".prompt-view").inner_text()
    assert page.locator(".first-message").inner_text().startswith("Namaste! Acme Telecom")
    page.get_by_label("JSON").check()
    assert '"voice": "priya"' in config.inner_text()
    page.get_by_label("YAML").check()
    screenshot(page, shots / "profiles.png")
    if os.environ.get("VOICEOPS_UPDATE_DOCS"):  # refresh the README's screenshot on demand
        shutil.copyfile(shots / "profiles.png", DOCS_SCREENSHOT)

    page.set_viewport_size({"width": 400, "height": 800})  # a narrow window: still usable
    assert page.locator(".config-view").is_visible()
    screenshot(page, shots / "profiles-narrow.png", full_page=True)


def test_voice_gallery_filters_and_previews_with_tuning(page: Any, shots: Path) -> None:
    page.get_by_role("tab", name="Voice gallery").click()
    page.wait_for_function("document.querySelectorAll('#voices-table tbody tr').length > 100")
    page.select_option("#f-provider", "elevenlabs")
    page.select_option("#f-gender", "female")
    page.wait_for_function("document.querySelectorAll('#voices-table tbody tr').length < 30")
    providers = page.locator("#voices-table tbody tr td:nth-child(2)").all_inner_texts()
    genders = page.locator("#voices-table tbody tr td:nth-child(3)").all_inner_texts()
    assert providers and set(providers) == {"elevenlabs"} and set(genders) == {"female"}
    page.fill("#f-search", "sarah")
    page.wait_for_function("document.querySelectorAll('#voices-table tbody tr').length === 1")
    page.check("#f-custom")
    page.wait_for_selector("text=No custom voices match")
    page.uncheck("#f-custom")
    page.get_by_role("button", name="Try Sarah").click()

    page.fill("#p-stability", "0.8")
    page.fill("#p-speed", "1.1")
    page.fill("#p-text", "Hello from the console test.")
    page.click("#p-play")
    page.wait_for_function("document.querySelector('#p-audio').duration > 0")
    assert page.eval_on_selector("#p-audio", "a => a.src").startswith("blob:")
    assert int(page.get_attribute("#p-audio", "data-bytes") or 0) > 10_000
    line = page.inner_text("#p-yaml")
    tts = yaml.safe_load(line)["tts"]
    # the default model is the one speaking the most languages; its sliders, its ranges
    assert tts == {"provider": "elevenlabs", "model": "eleven_flash_v2_5",
                   "voice": "EXAVITQu4vr4xnSDxMaL",
                   "tuning": {"stability": 0.8, "similarity_boost": 0.75, "speed": 1.1}}
    page.click("#p-copy")
    page.wait_for_selector("text=Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == line

    page.select_option("#f-provider", "sarvam")
    page.select_option("#f-gender", "")
    page.fill("#f-language", "hi-IN")
    page.fill("#f-search", "priya")
    page.get_by_role("button", name="Try Priya", exact=True).click()
    page.fill("#p-pace", "1.5")
    page.click("#p-play")
    page.wait_for_function("document.querySelector('#p-audio').duration > 0")
    tts = yaml.safe_load(page.inner_text("#p-yaml"))["tts"]
    assert tts["model"] == "bulbul:v3" and tts["voice"] == "priya"
    assert tts["tuning"] == {"pace": 1.5, "temperature": 0.6}
    screenshot(page, shots / "voices.png")


def test_typed_conversation_streams_replies_audio_and_latency(page: Any, shots: Path) -> None:
    page.wait_for_selector("#profiles-table tbody tr")
    page.get_by_role("tab", name="Talk").click()
    page.select_option("#talk-profile", "support_hi")
    page.click("#start-session")
    page.wait_for_selector("#session-sim")  # ready.simulated is shown
    page.wait_for_selector("#talk-log li.agent:has-text('Namaste!')")
    page.fill("#say-input", "What plans do you have?")
    page.press("#say-input", "Enter")
    page.wait_for_selector("#talk-log li.agent:has-text('You said')")
    page.wait_for_function(
        "document.querySelector('[data-key=first_audio_ms]').textContent.endsWith('ms')")
    for key in ("llm_ttft_ms", "tts_ttfb_ms", "first_audio_ms", "total_ms"):
        assert page.inner_text(f"[data-key={key}]").endswith(" ms"), key
    assert page.inner_text("[data-key=stt_ms]") == "–"  # typed: no STT
    assert "anthropic" in page.inner_text("#latency-who") or "openai" in page.inner_text(
        "#latency-who")
    assert int(page.get_attribute("#audio-stats", "data-bytes") or 0) > 0

    page.fill("#say-input", "And the prices?")
    page.click("#say-send")
    page.wait_for_function("document.querySelectorAll('#latency-chart circle').length >= 6")
    page.click("#barge")  # queued audio is dropped at once
    page.wait_for_selector("text=You interrupted the agent.")
    screenshot(page, shots / "talk.png")
    page.set_viewport_size({"width": 400, "height": 800})
    screenshot(page, shots / "talk-narrow.png", full_page=True)
    page.click("#stop-session")
    page.wait_for_selector("text=Session ended.")


def test_push_to_talk_sends_microphone_audio(page: Any) -> None:
    page.wait_for_selector("#profiles-table tbody tr")
    page.get_by_role("tab", name="Talk").click()
    page.select_option("#talk-profile", "sales_en")
    page.click("#start-session")
    page.wait_for_selector("#session-sim")
    box = page.locator("#ptt").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_function("document.querySelector('#ptt').getAttribute('aria-pressed') === "
                           "'true'")
    page.wait_for_timeout(1200)
    page.mouse.up()
    heard = page.locator("#talk-log li.you:has-text('I heard')")
    heard.wait_for()
    assert "seconds of audio" in heard.inner_text()  # the simulated STT's answer
    page.wait_for_function(
        "document.querySelector('[data-key=stt_ms]').textContent.endsWith('ms')")


def test_reload_banners_and_a_profile_removed_while_open(page: Any, project: Path,
                                                         daemon: DaemonProcess,
                                                         shots: Path) -> None:
    page.wait_for_selector("#profiles-table tbody tr")
    page.get_by_role("button", name="tech_support_en", exact=True).click()
    page.locator(".config-view").wait_for()
    page.get_by_role("tab", name="Talk").click()
    page.select_option("#talk-profile", "support_hi")
    page.click("#start-session")
    page.wait_for_selector("#session-sim")
    before = page.inner_text("#session-version")

    template = project / "prompts" / "customer_support.j2"
    template.write_text(template.read_text() + "\nMention the festival offer.\n")
    banner = page.locator("#version-banner")
    banner.wait_for()
    assert f"keeps config {before}" in banner.inner_text()
    assert "new sessions get v2-" in banner.inner_text()

    profile = project / "configs" / "support_hi.yaml"
    good = profile.read_text()
    profile.write_text(good.replace("voice: priya", "voice: priyaa"))
    rejection = page.locator("#rejection-banner")
    rejection.wait_for()
    text = rejection.inner_text()
    assert "support_hi.yaml:15:10" in text and "VO402" in text and "priyaa" in text
    screenshot(page, shots / "rejected-reload.png")

    profile.write_text(good)
    rejection.wait_for(state="hidden")
    page.get_by_role("tab", name="Profiles").click()
    (project / "configs" / "tech_support_en.yaml").unlink()
    page.wait_for_selector("text=Profile 'tech_support_en' is no longer served")
    assert rows(page, "#profiles-table") == 4
    screenshot(page, shots / "profile-removed.png")


def test_token_prompt_then_a_dead_daemon(browser: Any, project: Path, shots: Path) -> None:
    with DaemonProcess(project, ["--sim"], env={"VOICEOPS_TOKEN": "s3cret"}) as guarded:
        context, page, errors = open_page(browser, guarded.http_url)
        token = page.get_by_label("Access token")
        token.wait_for()
        assert page.locator("#main").is_hidden()
        screenshot(page, shots / "token.png")
        token.fill("wrong")
        page.get_by_role("button", name="Connect").click()
        page.wait_for_selector("text=The daemon refused this token")
        token.fill("s3cret")
        page.get_by_role("button", name="Connect").click()
        page.wait_for_selector("#profiles-table tbody tr")
        assert page.evaluate("sessionStorage.getItem('voiceops.token')") == "s3cret"
        page.get_by_role("tab", name="Talk").click()
        page.click("#start-session")  # the WebSocket carries ?token=
        page.wait_for_selector("#session-sim")
        guarded.stop()
        page.wait_for_selector("text=is not answering")
        page.wait_for_selector("#talk-log li.error:has-text('The connection closed')")
        assert page.inner_text("#daemon-state") == "daemon not answering"
        screenshot(page, shots / "daemon-gone.png")
        context.close()
    assert errors == []


def test_a_failing_provider_is_shown_until_it_recovers(page: Any, project: Path) -> None:
    # an OpenAI-compatible server nobody runs, with a simulated fallback that answers
    (project / "configs" / "flaky_en.yaml").write_text(
        "version: 1\nextends: sales_en\nllm:\n  provider: openai_compatible\n"
        "  model: llama-3.1-8b\n  base_url: http://127.0.0.1:9/v1\n  timeout_s: 2\n"
        "  fallbacks:\n    - {provider: anthropic, model: claude-haiku-4-5}\n")
    page.get_by_role("tab", name="Talk").click()
    page.wait_for_selector("#talk-profile option[value=flaky_en]", state="attached")
    page.select_option("#talk-profile", "flaky_en")
    page.click("#start-session")
    page.wait_for_selector("#session-sim")
    for said in ("Hello?", "Anyone there?"):
        page.fill("#say-input", said)
        page.press("#say-input", "Enter")
        page.wait_for_selector(f"#talk-log li.agent:has-text('{said}')")
    badge = page.locator("#providers-down")
    badge.wait_for()
    assert badge.inner_text() == "failing: openai_compatible/llama-3.1-8b"
    assert "fallbacks first" in (badge.get_attribute("title") or "")
