"""Running voiceops and its simulators as child processes, for tests, benchmarks and scripts."""
