"""`voiceops phone`: the phone network's side of a call (Twilio Media Streams or Exotel
AgentStream) against a daemon, written from the carriers' docs, for people and tests.

    report = await place_call(PhoneOptions("http://127.0.0.1:8765", "twilio",
                                           [from_text("What plans do you have?", 8000)]))
    report.lines(), report.violations
"""

from voiceops.harness.phone.call import place_call
from voiceops.harness.phone.dialects import Violation
from voiceops.harness.phone.options import PhoneOptions
from voiceops.harness.phone.report import CallReport, Reply, stereo_wav
from voiceops.harness.phone.voice import CallerTurn, from_text, from_wav, keys

__all__ = ["CallReport", "CallerTurn", "PhoneOptions", "Reply", "Violation", "from_text",
           "from_wav", "keys", "place_call", "stereo_wav"]
