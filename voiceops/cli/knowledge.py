"""`knowledge`: what a profile's knowledge retrieval finds for a question."""

from __future__ import annotations

import json
import os

import click

from voiceops.cli.app import cli, env_option


@cli.command()
@click.argument("profile")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people; json for tools.")
@click.option("--top-k", type=click.IntRange(1, 50), default=None,
              help="Passages to show, at most (default: the profile's rag.top_k).")
@env_option
def knowledge(profile: str, query: str, fmt: str, top_k: int | None,
              overlay: str | None) -> None:
    """Show the passages PROFILE's knowledge (rag.sources) retrieves for QUERY.

    These are the passages a caller's turn asking QUERY hands the LLM: best first, with
    their file:line and score, within the profile's rag.max_chars. JSON:
    {"passages": [{"id", "source", "line", "score", "text"}]}. Exit status: 0 (also when
    nothing matches), 1 the profile has no knowledge or a source is broken, 2 usage.

    \b
    Examples:
      voiceops knowledge support_hi "roaming pack"
      voiceops knowledge support_hi "रोमिंग पैक कितने का है" --format json --top-k 1
    """
    from voiceops.knowledge.lookup import lookup

    passages = lookup(profile, query, os.environ, top_k=top_k, overlay=overlay)
    if fmt == "json":
        click.echo(json.dumps({"passages": [
            {"id": p.id, "source": p.source, "line": p.line, "score": p.score, "text": p.text}
            for p in passages]}, indent=2, ensure_ascii=False))
        return
    if not passages:
        click.echo("no passage matches", err=True)
    for p in passages:
        click.echo(click.style(f"{p.source}:{p.line}", bold=True) + f"  score {p.score:.2f}"
                   f"  {p.id}")
        click.echo("    " + p.text.replace("\n", "\n    ") + "\n")
