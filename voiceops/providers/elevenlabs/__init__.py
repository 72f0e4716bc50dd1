"""ElevenLabs clients: streaming TTS over httpx."""
