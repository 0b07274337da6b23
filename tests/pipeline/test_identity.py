"""Tests for quotetrail.pipeline.identity."""

from __future__ import annotations

import pytest

from quotetrail.pipeline.identity import (
    KnownSpeaker,
    exact_speakers,
    is_organisation,
    lookup_keys,
    resolve_speaker,
    roles_conflict,
    speaker_key,
)
from quotetrail.pipeline.normalize import APOSTROPHES

POWER = KnownSpeaker(
    1,
    "Samantha Power",
    frozenset({"Power", "US Ambassador to the UN, Samantha Power"}),
    "US Ambassador to the United Nations",
)
ERDOGAN = KnownSpeaker(2, "Recep Tayyip Erdoğan", frozenset(), "President of Turkey")
JOHN_SMITH = KnownSpeaker(3, "John Smith", frozenset(), "Senator for the state")
ZEID = KnownSpeaker(4, "Zeid Ra\u2019ad Al Hussein", frozenset({"Zeid"}), "UN rights chief")
HEALTH = KnownSpeaker(5, "the Department of Health", frozenset(), None)
ACME = KnownSpeaker(6, "Acme Corp", frozenset(), None)
KNOWN = [POWER, ERDOGAN, JOHN_SMITH, ZEID, HEALTH, ACME]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Samantha Power", "samantha power"),
        ("  SAMANTHA   POWER ", "samantha power"),
        ("Recep Tayyip Erdoğan", "recep tayyip erdogan"),
        ("Zeid Ra\u2019ad Al Hussein", "zeid raad al hussein"),
        ("Zeid Ra'ad al-Hussein", "zeid raad al hussein"),
        # An acute accent typed for the apostrophe (NFKC splits it into a space and an accent).
        ("Zeid Ra\u00b4ad Al Hussein", "zeid raad al hussein"),
        ("President Erdogan", "erdogan"),
        ("Turkish President Recep Tayyip Erdogan", "recep tayyip erdogan"),
        ("Sen. John Smith", "john smith"),
        ("Dr. Jane Smith", "jane smith"),
        ("US Ambassador to the UN, Samantha Power", "samantha power"),
        ("the United States\u2019 UN Ambassador Samantha Power", "samantha power"),
        ("UN Secretary-General Ban Ki-moon", "ban ki moon"),
        ("CNN correspondent Nick Paton Walsh", "nick paton walsh"),
        ("David French, National Review", "david french"),
        ("Samantha J. Power", "samantha j power"),
        # A title that is also a surname stays when nothing follows it.
        ("Julie Bishop", "julie bishop"),
        ("Martin Luther King Jr.", "martin luther king jr"),
        ("the Department of Health", "department of health"),
        ("Department of Health", "department of health"),
        ("Acme Corp.", "acme corp"),
        ("", ""),
        (" , ", ""),
    ],
)
def test_speaker_key(name: str, key: str) -> None:
    assert speaker_key(name) == key


@pytest.mark.parametrize("mark", APOSTROPHES)
def test_a_name_keys_alike_with_every_mark_text_reads_as_an_apostrophe(mark: str) -> None:
    # The okina of Hawaiian names, a prime or a low quotation mark set for the apostrophe.
    assert speaker_key(f"Leilani Ka{mark}ahumanu O{mark}Neill") == "leilani kaahumanu oneill"
    assert lookup_keys(f"Ka{mark}ahumanu") == lookup_keys("Ka'ahumanu")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("the Department of Health", True),
        ("Acme Corp", True),
        ("BC Hydro", True),
        ("NATO", True),
        ("Samantha Power", False),
        ("Power", False),
        ("Turkish President Erdogan", False),
    ],
)
def test_is_organisation(name: str, expected: bool) -> None:
    assert is_organisation(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # exact alias, insensitive to case, diacritics, apostrophes and titles
        ("Samantha Power", 1),
        ("samantha power", 1),
        ("Power", 1),
        ("US Ambassador to the UN Samantha Power", 1),
        ("Recep Tayyip Erdogan", 2),
        ("Turkish President Recep Tayyip Erdogan", 2),
        ("Zeid Ra'ad Al Hussein", 4),
        ("Zeid", 4),
        # full name with a middle name or initial missing on one side
        ("Samantha J. Power", 1),
        ("Recep Erdogan", 2),
        ("Tayyip Erdogan", 2),
        ("S. Power", 1),
        ("Sen. John Smith", 3),
        # surname only, one bearer
        ("Erdogan", 2),
        ("President Erdogan", 2),
        ("Smith", 3),
        ("Hussein", 4),
        # different first name: a different person
        ("Jane Smith", None),
        # nobody known
        ("Ban Ki-moon", None),
        ("", None),
    ],
)
def test_resolve_speaker(name: str, expected: int | None) -> None:
    assert resolve_speaker(name, role=None, known=KNOWN) == expected


def test_middle_initial_on_the_known_side() -> None:
    known = [KnownSpeaker(9, "Samantha J. Power", frozenset(), None)]
    assert resolve_speaker("Samantha Power", role=None, known=known) == 9
    assert resolve_speaker("Samantha Jane Power", role=None, known=known) == 9
    assert resolve_speaker("Samantha K. Power", role=None, known=known) is None


def test_surname_with_two_bearers_is_not_merged() -> None:
    known = [*KNOWN, KnownSpeaker(7, "Jane Smith", frozenset(), "Chief executive of a bank")]
    assert resolve_speaker("Smith", role=None, known=known) is None
    assert resolve_speaker("Mr. Smith", role="Senator", known=known) is None
    assert resolve_speaker("J. Smith", role=None, known=known) is None
    # Full names still tell them apart.
    assert resolve_speaker("Jane Smith", role=None, known=known) == 7
    assert resolve_speaker("John Smith", role=None, known=known) == 3


def test_surname_only_with_conflicting_roles() -> None:
    assert resolve_speaker("Smith", role="Chief executive of a bank", known=KNOWN) is None
    assert resolve_speaker("Smith", role="senator", known=KNOWN) == 3
    # A role on one side only cannot conflict.
    assert resolve_speaker("Smith", role=None, known=KNOWN) == 3
    unknown_role = [KnownSpeaker(8, "Mary Jones", frozenset(), None)]
    assert resolve_speaker("Jones", role="Chief executive", known=unknown_role) == 8


def test_role_in_the_mention_counts_as_the_role() -> None:
    # "Foreign Secretary" is stripped from the name and compared with the known role.
    assert resolve_speaker("Foreign Secretary Smith", role=None, known=KNOWN) is None
    assert resolve_speaker("Senator Smith", role=None, known=KNOWN) == 3


def test_ambiguous_alias_is_settled_only_by_role() -> None:
    known = [
        KnownSpeaker(1, "Anna Berg", frozenset({"Berg"}), "Mayor of the city"),
        KnownSpeaker(2, "Otto Berg", frozenset({"Berg"}), "Football coach"),
    ]
    assert resolve_speaker("Berg", role=None, known=known) is None
    assert resolve_speaker("Berg", role="the city's mayor", known=known) == 1


def test_organisations_match_only_their_exact_normalised_name() -> None:
    assert resolve_speaker("Department of Health", role=None, known=KNOWN) == 5
    assert resolve_speaker("THE DEPARTMENT OF HEALTH", role=None, known=KNOWN) == 5
    assert resolve_speaker("Acme Corp.", role=None, known=KNOWN) == 6
    assert resolve_speaker("Acme Corporation", role=None, known=KNOWN) is None
    assert resolve_speaker("Health Department", role=None, known=KNOWN) is None
    # A person's surname never resolves to an organisation.
    assert resolve_speaker("Health", role=None, known=KNOWN) is None


def test_no_known_speakers() -> None:
    assert resolve_speaker("Samantha Power", role=None, known=[]) is None


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("President of Turkey", "Turkish President", False),
        ("US Ambassador to the UN", "US Ambassador to the United Nations", False),
        ("UK Foreign Secretary", "President of Turkey", True),
        ("Senator", "Chief executive of a bank", True),
        (None, "Senator", False),
        ("Senator", "", False),
    ],
)
def test_roles_conflict(a: str | None, b: str | None, conflict: bool) -> None:
    assert roles_conflict(a, b) is conflict
    assert roles_conflict(b, a) is conflict


@pytest.mark.parametrize(
    "name",
    [
        *("Samantha J. Power", "Power", "Tayyip Erdogan", "President Erdogan", "Hussein"),
        *("Zeid", "Sen. John Smith", "Department of Health", "S. Power"),
    ],
)
def test_resolved_speakers_share_a_lookup_key(name: str) -> None:
    found = resolve_speaker(name, role=None, known=KNOWN)
    assert found is not None
    speaker = next(s for s in KNOWN if s.id == found)
    stored = {k for n in (speaker.name, *speaker.aliases) for k in lookup_keys(n)}
    assert lookup_keys(name)[0] in stored or set(lookup_keys(name)) & stored


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Samantha Power", ("samantha power", "power")),
        ("Turkish President Recep Tayyip Erdogan", ("recep tayyip erdogan", "erdogan")),
        ("Zeid Ra\u2019ad Al Hussein", ("zeid raad al hussein", "hussein")),
        ("Power", ("power",)),
        ("the Department of Health", ("department of health",)),
        ("he", ("he",)),
        ("", ()),
    ],
)
def test_lookup_keys(name: str, keys: tuple[str, ...]) -> None:
    assert lookup_keys(name) == keys


@pytest.mark.parametrize(
    ("mention", "stored"),
    [
        ("Recep Erdogan", "Recep Tayyip Erdogan"),
        ("Recep Tayyip Erdogan", "Recep Erdogan"),
        ("Samantha J. Power", "Samantha Power"),
        ("Power", "US Ambassador to the UN, Samantha Power"),
        ("Zeid Ra'ad al-Hussein", "Zeid Ra\u2019ad Al Hussein"),
    ],
)
def test_a_name_resolution_accepts_shares_a_lookup_key(mention: str, stored: str) -> None:
    known = KnownSpeaker(9, stored, frozenset(), None)
    assert resolve_speaker(mention, role=None, known=[known]) == 9
    assert set(lookup_keys(mention)) & set(lookup_keys(stored))


def test_plain_names_skip_nameparser_with_its_answer() -> None:
    from itertools import product

    from nameparser import HumanName

    from quotetrail.pipeline.identity import _last_and_suffix

    firsts = ["Samantha", "Anne", "Recep", "Van", "Al", "Judge", "Mary", "St", "Bin", "John"]
    lasts = ["Power", "Marie", "Tayyip", "Erdogan", "Jr", "Ii", "Dyke", "Gore", "De", "Smith"]
    names = [" ".join(p) for p in product(firsts, lasts)]
    names += [" ".join(p) for p in product(firsts, lasts, lasts)]
    names += ["Samantha Power, Jr.", "Zeid Ra'ad Al Hussein", "Martin Luther King", "Cher"]
    for name in names:
        parsed = HumanName(name)
        assert _last_and_suffix(name) == (str(parsed.last), str(parsed.suffix)), name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Samantha Power", [1]),
        ("US Ambassador Samantha Power", [1]),  # titles are not part of the key
        ("Power", [1]),  # her alias
        ("Samantha J. Power", []),  # a fuller form: resolve_speaker's full-name rule
        ("Erdogan", []),  # a surname alone: the bearers' rule
        ("Department of Health", [5]),
        ("", []),
    ],
)
def test_exact_speakers(name: str, expected: list[int]) -> None:
    assert exact_speakers(name, KNOWN) == expected


@pytest.mark.parametrize(
    "name", ["Samantha Power", "Power", "Zeid", "Sen. John Smith", "the Department of Health"]
)
def test_exact_speakers_alone_decide_as_every_known_speaker_would(name: str) -> None:
    # What lets SpeakerBook try the speakers stored under the name's own key first: when
    # some bear exactly this name, they alone give resolve_speaker's answer.
    exact = [s for s in KNOWN if s.id in exact_speakers(name, KNOWN)]
    assert exact
    assert resolve_speaker(name, role=None, known=exact) == resolve_speaker(
        name, role=None, known=KNOWN
    )
