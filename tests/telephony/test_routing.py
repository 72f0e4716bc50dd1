"""route() and call_vars() against a real project built into a real ConfigVersion."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.runtime.config import ConfigVersion, build_version
from voiceops.telephony.routing import call_vars, phone_number, phone_settings, route, routes
from voiceops.telephony.types import CallInfo

SUPPORT = "+918047491899"
SALES = "+14155550111"


def _add(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> ConfigVersion:
    root = tmp_path_factory.mktemp("routed")
    scaffold(root)
    _add(root / "configs/support_hi.yaml",
         f'phone:\n  numbers: ["{SUPPORT}"]\n  dtmf: {{mode: event, timeout_ms: 3000}}\n')
    _add(root / "configs/sales_en.yaml", f'phone:\n  numbers: ["{SALES}", "+442071838750"]\n')
    # the support template declares two call variables, with defaults for browser sessions
    template = root / "prompts/customer_support.j2"
    template.write_text(template.read_text().replace(
        "variables:\n",
        "variables:\n"
        "  caller_number: {description: Who is calling, default: unknown}\n"
        "  order_id: {description: From the stream's parameters, default: none}\n"
        "  retries: {description: How often they called, type: number, default: 0}\n", 1)
        + "\nThe caller's number is {{ caller_number }}; order {{ order_id }}; "
          "called {{ retries }} times.\n")
    (root / "configs/inline_en.yaml").write_text(
        "version: 1\nextends: base\nlanguage: en-IN\n"
        "llm: {provider: openai, model: gpt-5.4-mini}\n"
        "tts: {provider: sarvam, model: bulbul:v3, voice: shubh}\n"
        "stt: {provider: sarvam, model: saaras:v3}\n"
        "prompt:\n  text: \"Caller {{ caller_number }} via {{ carrier }}.\"\n"
        "  vars: {caller_number: unknown, carrier: none}\n")
    built = build_version(Project(root), 1)
    assert built.version is not None, [d.format() for d in built.diagnostics]
    return built.version


def _call(**overrides: object) -> CallInfo:
    fields: dict[str, object] = dict(carrier="twilio", call_sid="CA123", stream_sid="MZ1",
                                     account_sid="AC1", from_number="+15005550006",
                                     to_number=SUPPORT)
    fields.update(overrides)
    return CallInfo(**fields)  # type: ignore[arg-type]


def test_a_routed_number_reaches_its_profile_whatever_the_default(
        version: ConfigVersion) -> None:
    assert route(version, SUPPORT, None) == "support_hi"
    assert route(version, SALES, "support_hi") == "sales_en"
    assert route(version, "+442071838750", None) == "sales_en"
    assert routes(version) == {SUPPORT: "support_hi", SALES: "sales_en",
                               "+442071838750": "sales_en",
                               "+16175550142": "appointments_en"}  # the starter's own


def test_an_unrouted_number_reaches_the_default_or_nobody(version: ConfigVersion) -> None:
    assert route(version, "+15550001111", "assistant_hi") == "assistant_hi"
    assert route(version, "+15550001111", None) is None
    # a default the version does not serve (removed by a reload, or abstract) refuses
    assert route(version, "+15550001111", "base") is None
    assert route(version, "+15550001111", "gone") is None


@pytest.mark.parametrize("dialled", [
    "08047491899",        # Exotel's national form of an ExoPhone: trunk 0, ten digits
    "918047491899",       # the country code without +
    "+91 80 4749 1899",   # written with spaces
    "0091-80-4749-1899",  # the international 00 prefix
])
def test_a_number_written_another_way_still_routes(version: ConfigVersion,
                                                   dialled: str) -> None:
    assert route(version, dialled, None) == "support_hi"


def test_a_national_number_that_fits_no_routed_number_is_not_guessed(
        version: ConfigVersion) -> None:
    assert route(version, "08047491800", None) is None
    assert route(version, "0", "assistant_hi") == "assistant_hi"
    assert route(version, "anonymous", None) is None


def test_call_vars_keep_what_the_prompt_declares_in_its_type(version: ConfigVersion) -> None:
    support = version.profiles["support_hi"]
    call = _call(custom=MappingProxyType({"order_id": "A-77", "retries": "3",
                                          "stray": "x", "token": "secret",
                                          "profile": "support_hi"}))
    assert call_vars(version, support, call) == {
        "caller_number": "+15005550006", "order_id": "A-77", "retries": 3}
    # and they render: the stray parameter does not break the prompt
    prompt = version.render(support, call_vars(version, support, call))
    assert "The caller's number is +15005550006; order A-77; called 3 times." in prompt.system


def test_call_vars_drop_a_value_of_the_wrong_type(version: ConfigVersion) -> None:
    support = version.profiles["support_hi"]
    found = call_vars(version, support, _call(custom=MappingProxyType({"retries": "many"})))
    assert "retries" not in found
    version.render(support, found)


def test_call_vars_reach_an_inline_prompt_that_uses_them(version: ConfigVersion) -> None:
    inline = version.profiles["inline_en"]
    found = call_vars(version, inline, _call(carrier="exotel", from_number="09876543210"))
    assert found == {"caller_number": "+919876543210", "carrier": "exotel"}
    assert version.render(inline, found).system == "Caller +919876543210 via exotel."


def test_call_vars_for_a_profile_that_declares_none_are_empty(version: ConfigVersion) -> None:
    sales = version.profiles["sales_en"]
    assert call_vars(version, sales, _call(custom=MappingProxyType({"order_id": "1"}))) == {}


def test_the_call_wins_over_a_parameter_of_the_same_name(version: ConfigVersion) -> None:
    support = version.profiles["support_hi"]
    call = _call(custom=MappingProxyType({"caller_number": "+19999999999"}))
    assert call_vars(version, support, call)["caller_number"] == "+15005550006"


@pytest.mark.parametrize(("raw", "carrier", "expected"), [
    ("+14155550100", "twilio", "+14155550100"),
    ("09876543210", "exotel", "+919876543210"),
    ("919876543210", "exotel", "+919876543210"),
    ("+91 98765 43210", "exotel", "+919876543210"),
    ("anonymous", "twilio", "anonymous"),
    ("client:alice", "twilio", "client:alice"),
    ("09876543210", "twilio", "09876543210"),  # not Exotel: not read as Indian
])
def test_phone_numbers_are_normalised_at_the_boundary(raw: str, carrier: str,
                                                      expected: str) -> None:
    assert phone_number(raw, carrier) == expected  # type: ignore[arg-type]


def test_phone_settings_are_typed_with_the_schemas_defaults(version: ConfigVersion) -> None:
    support = phone_settings(version.profiles["support_hi"])
    assert support.numbers == (SUPPORT,)
    assert (support.dtmf.mode, support.dtmf.finish_on_key, support.dtmf.timeout_ms) == (
        "event", "#", 3000)
    plain = phone_settings(version.profiles["assistant_hi"])
    assert plain.numbers == () and plain.dtmf.mode == "turn" and plain.dtmf.timeout_ms == 2000


def test_the_starter_routes_its_number_and_tells_the_prompt_the_caller(tmp_path: Path) -> None:
    scaffold(tmp_path)
    built = build_version(Project(tmp_path), 1)
    assert built.version is not None
    version = built.version
    assert routes(version) == {"+16175550142": "appointments_en"}
    name = route(version, "+16175550142", "support_hi")
    assert name == "appointments_en"
    profile = version.profiles[name]
    vars_ = call_vars(version, profile, _call(to_number="+16175550142"))
    assert vars_ == {"caller_number": "+15005550006"}
    system = version.render(profile, vars_).system
    assert "calling from +15005550006: offer to use that number" in system
    assert "calling from" not in profile.prompt.system  # a browser session has no number


def test_a_number_given_to_two_profiles_is_never_served(tmp_path: Path) -> None:
    """A reload that would route one number to two profiles is rejected whole (the running
    version stays), with the clash named in both files."""
    scaffold(tmp_path)
    _add(tmp_path / "configs/sales_en.yaml", 'phone:\n  numbers: ["+16175550142"]\n')
    built = build_version(Project(tmp_path), 2)
    assert built.version is None
    clashes = [d for d in built.diagnostics if d.code == "VO802"]
    assert sorted(Path(d.path).name for d in clashes) == ["appointments_en.yaml",
                                                         "sales_en.yaml"]
