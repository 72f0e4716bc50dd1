"""OpenAI clients (chat streaming, transcription) over the official `openai` SDK."""
