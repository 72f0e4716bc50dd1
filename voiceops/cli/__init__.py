"""The `voiceops` command line: `app` holds the group and its error handling; each sibling
module adds one family of commands to it."""

from voiceops.cli import catalog, checks, knowledge, phone, probe, project, serving
from voiceops.cli.app import cli, main
from voiceops.cli.project import diff

__all__ = ["catalog", "checks", "cli", "diff", "knowledge", "main", "phone", "probe",
           "project", "serving"]
