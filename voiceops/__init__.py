"""voiceops: config-as-code for voice agents."""

__version__ = "0.1.0"
