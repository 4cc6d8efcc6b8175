"""What a generated dataset is made of: the same lookups, vocabulary and dates for every seed.

The generator (bench.generate) draws events from these, and the HTTP bench (bench.http) draws
its request paths from them, so that a window, an actor or a word asked for really occurs.
Only the events depend on the seed.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date
from functools import cache

# Starts fall uniformly between these days; periods may end later.
FIRST_DAY = date(1946, 1, 1)
LAST_DAY = date(2025, 12, 31)
VOCABULARY_SIZE = 6000
# Search requests skip the commonest words: a query for "the" is not what a newsroom types.
SEARCHABLE_FROM_RANK = 40

COUNTRIES = (
    ("US", "United States"),
    ("CN", "China"),
    ("RU", "Russia"),
    ("GB", "United Kingdom"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("TW", "Taiwan"),
    ("UA", "Ukraine"),
    ("IR", "Iran"),
    ("IL", "Israel"),
    ("KP", "North Korea"),
    ("KR", "South Korea"),
    ("JP", "Japan"),
    ("IN", "India"),
    ("PK", "Pakistan"),
    ("TR", "Turkey"),
    ("NL", "Netherlands"),
    ("BE", "Belgium"),
    ("PL", "Poland"),
    ("SE", "Sweden"),
    ("NO", "Norway"),
    ("FI", "Finland"),
    ("EE", "Estonia"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("CZ", "Czechia"),
    ("AT", "Austria"),
    ("CH", "Switzerland"),
    ("IT", "Italy"),
    ("ES", "Spain"),
    ("PT", "Portugal"),
    ("GR", "Greece"),
    ("RO", "Romania"),
    ("BG", "Bulgaria"),
    ("HU", "Hungary"),
    ("RS", "Serbia"),
    ("BY", "Belarus"),
    ("GE", "Georgia"),
    ("AM", "Armenia"),
    ("AZ", "Azerbaijan"),
    ("KZ", "Kazakhstan"),
    ("AF", "Afghanistan"),
    ("IQ", "Iraq"),
    ("SY", "Syria"),
    ("LB", "Lebanon"),
    ("EG", "Egypt"),
    ("SA", "Saudi Arabia"),
    ("AE", "United Arab Emirates"),
    ("QA", "Qatar"),
    ("ZA", "South Africa"),
    ("NG", "Nigeria"),
    ("KE", "Kenya"),
    ("BR", "Brazil"),
    ("AR", "Argentina"),
    ("MX", "Mexico"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("SG", "Singapore"),
    ("PH", "Philippines"),
)

EVENT_TYPES = (
    ("arrest", "Arrest"),
    ("indictment", "Indictment"),
    ("trial", "Trial"),
    ("court-ruling", "Court ruling"),
    ("expulsion", "Expulsion"),
    ("cyber-attack", "Cyber attack"),
    ("leak", "Leak"),
    ("defection", "Defection"),
    ("sanction", "Sanction"),
    ("military-exercise", "Military exercise"),
    ("official-statement", "Official statement"),
    ("investigation", "Investigation"),
)

TAGS = (
    "espionage",
    "cyber",
    "courts",
    "sanctions",
    "military",
    "diplomacy",
    "intelligence",
    "counterintelligence",
    "elections",
    "disinformation",
    "leaks",
    "surveillance",
    "terrorism",
    "nuclear",
    "navy",
    "air-force",
    "space",
    "energy",
    "telecoms",
    "finance",
    "trade",
    "technology",
    "semiconductors",
    "export-controls",
    "border",
    "migration",
    "police",
    "prisons",
    "extradition",
    "whistleblowers",
    "journalists",
    "human-rights",
    "treaties",
    "arms-control",
    "drones",
    "missiles",
    "shipping",
    "satellites",
    "ransomware",
    "phishing",
    "infrastructure",
    "health",
    "academia",
    "students",
    "diaspora",
    "religion",
    "corruption",
    "bribery",
    "smuggling",
    "organised-crime",
    "parliament",
    "ministries",
    "embassies",
    "consulates",
    "archives",
    "declassified",
    "history",
    "cold-war",
    "protests",
    "media",
)

# Institutions every country has; (name, slug, kind). Never a private person.
INSTITUTIONS = (
    ("Ministry of Defence", "defence-ministry", "agency"),
    ("Ministry of Foreign Affairs", "foreign-ministry", "agency"),
    ("Ministry of Justice", "justice-ministry", "agency"),
    ("Foreign Intelligence Service", "foreign-intelligence", "agency"),
    ("Security Service", "security-service", "agency"),
    ("Supreme Court", "supreme-court", "organisation"),
    ("Prosecutor General's Office", "prosecutors", "organisation"),
    ("Parliament", "parliament", "organisation"),
    ("Army", "army", "military_unit"),
    ("Navy", "navy", "military_unit"),
    ("Cyber Command", "cyber-command", "military_unit"),
    ("Government", "government", "state"),
)
ACTOR_COUNTRIES = 25  # 12 institutions in each of the first 25 countries: 300 actors

PUBLISHERS = (
    "Example Wire",
    "Sample Gazette",
    "The Placeholder Times",
    "Generated Herald",
    "Bench Review",
    "Synthetic Post",
    "Model Chronicle",
    "Fixture Daily",
    "Test Tribune",
    "Mock Courier",
)
SOURCES = 400


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common words first: they occur in nearly every text, as in real prose.
COMMON = _words(
    "the of and to in a for on with by at from as that was is after over "
    "against two its new were said has have had their into about under three "
    "which former more than first"
)
TOPICAL = _words(
    "espionage court army cyber spy report leak soldiers prosecution warning police "
    "intelligence military sentenced arrested charged minister agency officials government "
    "defence security hackers attack secret documents embassy diplomat expelled trial "
    "judge prison years investigation suspected network border navy missile nuclear "
    "sanctions treaty officer colonel general ministry service foreign national state "
    "agents informant recruited classified stolen data breach malware ransomware phishing "
    "servers election campaign parliament vote protest media journalist newspaper "
    "broadcast interview statement denied confirmed accused alleged evidence witnesses "
    "verdict appeal acquitted convicted fined extradited deported detained released "
    "exchange prisoners swap defector asylum frontier guards customs smuggling weapons "
    "drones satellite launch exercise troops deployment base fleet submarine aircraft "
    "pilot radar signals intercept surveillance wiretap encryption keys passwords "
    "telecom operator company contract export controls chips technology research "
    "university students scientists engineer factory plant energy pipeline cable "
    "undersea shipping port tanker cargo bank funds payments bribery corruption "
    "money laundering fraud accounts investigators prosecutors lawyers hearing "
    "indictment charges counts conspiracy treason sabotage explosion fire damage "
    "infrastructure outage grid water railway airport hospital archive declassified "
    "files memo telegram dossier inquiry commission committee session testimony oversight"
)


@dataclass(frozen=True)
class Lookups:
    """The records events refer to, each list in its data-file shape, with Zipf weights."""

    countries: list[dict[str, str]]
    event_types: list[dict[str, str]]
    tags: list[dict[str, str]]
    sources: list[dict[str, str]]
    actors: list[dict[str, str]]


def zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights of ranks 1..count, for `random.choices(cum_weights=...)`."""
    return list(itertools.accumulate(1 / rank**exponent for rank in range(1, count + 1)))


@cache
def lookups() -> Lookups:
    """Countries, types, tags, sources and actors, most used first."""
    countries = [{"code": code, "name": name} for code, name in COUNTRIES]
    event_types = [
        {"id": slug, "name": name, "description": f"Generated: {name.lower()}."}
        for slug, name in EVENT_TYPES
    ]
    tags = [{"id": slug, "name": slug.replace("-", " ").capitalize()} for slug in TAGS]
    sources = [
        {
            "id": f"source-{number}",
            "publisher": PUBLISHERS[number % len(PUBLISHERS)],
            "title": f"Generated report {number}",
            "published": str(FIRST_DAY.year + number % (LAST_DAY.year - FIRST_DAY.year + 1)),
        }
        for number in range(1, SOURCES + 1)
    ]
    actors = [
        {
            "id": f"{code.lower()}-{slug}",
            "name": f"{name} ({country})",
            "kind": kind,
            "country": code,
        }
        for code, country in COUNTRIES[:ACTOR_COUNTRIES]
        for name, slug, kind in INSTITUTIONS
    ]
    # The busiest actors spread over countries and institutions, not all one country's.
    random.Random(0).shuffle(actors)
    return Lookups(countries, event_types, tags, sources, actors)


@cache
def vocabulary() -> list[str]:
    """6,000 words by rank: common words, real topical words, then made-up ones."""
    rng = random.Random(0)
    onsets = _words("b c d f g h k l m n p r s t v z br cr dr gr pr st tr")
    vowels = _words("a e i o u a e i o u ai ea")
    topical = [word for word in TOPICAL if word not in COMMON]
    known = set(COMMON) | set(topical)
    wanted = VOCABULARY_SIZE - len(known)
    made_up: list[str] = []
    while len(made_up) < wanted:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 3))
        ) + rng.choice(("", "n", "s", "r", "t", "m"))
        if word not in known:
            known.add(word)
            made_up.append(word)
    # Topical words take every third rank after the common ones, so they are frequent
    # without being ubiquitous: "espionage" is in about one event in twenty.
    ranked = list(COMMON)
    remaining, others = iter(topical), iter(made_up)
    while len(ranked) < VOCABULARY_SIZE:
        pick = next(remaining, None) if len(ranked) % 3 == 0 else None
        ranked.append(pick if pick is not None else next(others))
    return ranked
