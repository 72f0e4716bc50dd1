"""Tools an agent can call: declared in profiles (or shared `tools/*.yaml` files), checked by
`voiceops validate`, and handed to the LLM in each provider's function-calling format."""
