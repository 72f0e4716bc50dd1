"""The daemon behind `voiceops run`: a starlette app served by uvicorn."""
