"""Sarvam clients: chat (OpenAI-compatible, via the openai SDK), TTS and STT (httpx)."""
