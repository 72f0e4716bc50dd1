"""`python -m voiceops.cli`: the same as the `voiceops` console script."""

from voiceops.cli import main

main()
