"""A second corpus, unlike seeds/: game news, where one topic ("Diablo 4") tags every article,
with its own providers, topics, URLs and words. The README and playground tests run their
examples on it, as a newcomer runs them on their own data."""

from __future__ import annotations

from pathlib import Path

PROVIDERS = (
    ("Icy Veins", "icy-veins.com"),
    ("PC Gamer", "pcgamer.com"),
    ("Wowhead", "wowhead.com"),
)
STORIES = (
    ("Season of Blood brings vampiric powers to Sanctuary", ["Seasons"]),
    ("Patch 1.1.1 reworks Sorcerer barriers and Rogue traps", ["Patch Notes", "Classes"]),
    ("Necromancer minion builds after the balance hotfix", ["Classes", "Builds"]),
    ("Hardcore world first: the esports race to level 100", ["Esports"]),
    ("Uber Lilith guide: phases, resistances and cheese", ["Bosses", "Builds"]),
    ("Helltide chests now drop legendary aspects more often", ["Patch Notes", "Loot"]),
    ("Druid werewolf tornado build climbs the ladder", ["Classes", "Builds"]),
    ("Vessel of Hatred expansion adds the Spiritborn class", ["Expansions", "Classes"]),
    ("Season of the Construct: seneschal companion explained", ["Seasons"]),
    ("Tempering and masterworking overhaul loot crafting", ["Loot", "Patch Notes"]),
    ("Pit of the Artificers: endgame tiers and glyph levelling", ["Endgame"]),
    ("Barbarian bash build dominates the speedrun esports cup", ["Esports", "Builds"]),
)


def write_game_corpus(corpus: Path) -> Path:
    """Write the corpus into ``corpus`` (created); return it."""
    corpus.mkdir(parents=True, exist_ok=True)
    for number, (title, topics) in enumerate(STORIES):
        name, domain = PROVIDERS[number % len(PROVIDERS)]
        slug = title.lower().replace(":", "").replace(",", "").replace(" ", "-")[:60]
        previous = STORIES[number - 1][0] if number else None
        related = ""
        if previous is not None:
            prev_domain = PROVIDERS[(number - 1) % len(PROVIDERS)][1]
            prev_slug = previous.lower().replace(":", "").replace(",", "").replace(" ", "-")[:60]
            related = (
                "related:\n"
                f"  - title: {previous!r}\n"
                f"    webUrl: https://www.{prev_domain}/d4/{prev_slug}\n"
                f"  - title: 'Forum thread {number}'\n"
                f"    webUrl: https://us.forums.blizzard.com/d4/t/{number}\n"
            )
        topic_lines = "".join(f"  - {t}\n" for t in ["Diablo 4", *topics])
        (corpus / f"{number:02d}-{slug}.md").write_text(
            "---\n"
            f"title: {title!r}\n"
            f"webUrl: https://www.{domain}/d4/{slug}\n"
            f"publishedDateTime: 2023-{1 + number % 12:02d}-{10 + number:02d}T09:00:00Z\n"
            f"quality: {40 + 4 * number}\n"
            f"provider:\n  name: {name}\n  domain: {domain}\n"
            f"topics:\n{topic_lines}"
            f"{related}"
            "---\n"
            f"{title}.\n",
            encoding="utf-8",
        )
    return corpus
