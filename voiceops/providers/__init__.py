"""Provider clients: streaming LLM, TTS and STT over each provider's API.

`base` says what a client is, `registry` builds them from profile sections (importing the
heavy SDKs only when a client needs one), and `<vendor>/{llm,tts,stt}.py` hold the clients.
Nothing is imported here, so `import voiceops.providers.base` stays cheap.
"""
