"""A deterministic generator of realistic quotation corpora (no network, no data files).

Canonical quotes are built on the sentence skeletons of the real quotations in the seed and
fixture gold files: their function words, negations, contractions and punctuation stay where a
speaker put them, and every content word is drawn afresh. Content words follow a Zipf-Mandelbrot
law over a vocabulary whose head is the real words of the repository's articles (by frequency)
and whose tail is pronounceable made-up words, and a quote draws part of its words from its
topic's small vocabulary, so that quotes on one topic share words as real ones do.

From each canonical quote the generator derives what articles really print: the full wording, cuts
(a contiguous part, or two parts joined by an ellipsis), fragments inside the author's sentence,
light rewordings (an article swapped, a function word dropped, a typo, "really" dropped),
re-credits (the same words credited to someone else) and near-topic quotes (different words on
the same topic, which must stay apart). Articles are rendered with the attribution forms the
extractor reads ("...," X said. / said X / X said: "..." / split quotations / according to X),
and every quotation's offsets are known, so a database can be bulk-loaded with the truth.

Everything is a function of (seed, index): quote 123456 is the same quote whatever the corpus size,
so a 10k corpus is the first 10k quotes of the 1M one.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from quotetrail.pipeline.match import COMMON_WORDS, NEGATIONS, STOPWORDS

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY_SIZE = 60_000
# Zipf-Mandelbrot: p(rank) ~ 1 / (rank + Q) ** S. The offset flattens the head so that the most
# frequent content word is in a few percent of quotes, as "people" or "government" are in news.
ZIPF_S = 1.05
ZIPF_Q = 12.0
TOPIC_WORDS = 14  # a topic's own vocabulary
TOPIC_SHARE = 0.3  # of a quote's content words come from its topic
QUOTES_PER_TOPIC = 40
QUOTES_PER_PERSON = 12
FIRST_DAY = date(2015, 1, 1)

VariantKind = Literal["full", "cut", "ellipsis", "fragment", "reworded", "recredit"]
QueryKind = Literal["full", "cut", "fragment", "reworded", "typo", "cut_reworded", "case"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")
_FUNCTION = STOPWORDS | NEGATIONS | {"not"}
_ONSETS = (
    "b br bl c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr r s sc sh sl st str t th tr v w z"
).split()
_VOWELS = "a e i o u a e i o u a e o ea ai ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "nd", "rt", "st", "ck", "x"]
_FIRST_NAMES = """
Aaron Abigail Adrian Aisha Alan Alice Amara Amir Ana Andre Angela Anil Anna Arjun Astrid
Beatriz Ben Bianca Bilal Boris Brenda Carl Carmen Celeste Chen Chloe Claire Colin Dana Daniel
Daria David Deepa Denise Diego Dmitri Elena Elif Elliot Emeka Emily Erik Esther Fatima Felix
Fiona Gabriel Grace Hamid Hana Harriet Hassan Helen Hugo Ibrahim Ingrid Irene Isaac Ivan Jack
Jamal Jane Javier Joanna Jonas Jorge Julia Karim Kate Kenji Laila Lars Laura Leon Lina Lucas
Lucy Luis Maria Mark Marta Martin Maya Mei Miguel Mira Nadia Naomi Nathan Nia Nikolai Nora
Olga Omar Oscar Paolo Patricia Paul Pedro Petra Priya Rafael Rana Rashid Rebecca Ricardo Rosa
Ruth Sami Sara Sean Simone Sofia Stefan Tariq Teresa Thomas Tomas Uma Victor Wei Yara Yusuf Zara
""".split()
_ROLES = """
Finance Minister|Health Minister|Interior Minister|Foreign Minister|Senator|Governor|Mayor|
Police Chief|Prime Minister|President|Ambassador|Secretary|Commissioner|Judge|Professor|
union leader|spokeswoman|spokesman|chief executive|economist|analyst|coach|director
""".replace("\n", "").split("|")
_OUTLETS = (
    "Daily Ledger|Morning Post|City Courier|Evening Standard|Harbour Times|Valley News".split("|")
)
_FRAMES = (
    "{name} described the plan as “{q}”.",
    "{name} said the decision was “{q}”, and left it there.",
    "In a statement, {name} called it “{q}”.",
)
_NARRATIVE = (
    "The {a} {b} drew {c} from residents on {day}.",
    "Officials have not said when the {a} {b} will be published.",
    "The {a} was first reported by the {outlet} last week.",
    "Critics say the {a} {b} has been delayed for months.",
    "The {a} comes after a long dispute over {b} and {c}.",
    "Several {a} groups have asked for a review of the {b}.",
)


# --- vocabulary -------------------------------------------------------------------------------


def _repository_words() -> list[str]:
    """Content words of the repository's articles, most frequent first."""
    counts: Counter[str] = Counter()
    paths = [*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/fixtures/articles/*.txt")]
    for path in sorted(paths):
        for word in re.findall(r"[a-z]{3,}", path.read_text(encoding="utf-8")):
            if word not in _FUNCTION:
                counts[word] += 1
    return [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _made_up_words(count: int, taken: set[str], rng: random.Random) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3))
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        word += rng.choice(_CODAS)
        if len(word) >= 4 and word not in taken and word not in _FUNCTION:
            taken.add(word)
            words.append(word)
    return words


@cache
def vocabulary() -> tuple[str, ...]:
    """Content words by rank: real ones first, made-up ones after."""
    real = _repository_words()
    rng = random.Random(20161214)
    return tuple(real + _made_up_words(VOCABULARY_SIZE - len(real), set(real), rng))


@cache
def _cumulative_weights() -> list[float]:
    return list(
        itertools.accumulate(1 / (rank + ZIPF_Q) ** ZIPF_S for rank in range(len(vocabulary())))
    )


def _zipf_word(rng: random.Random) -> str:
    weights = _cumulative_weights()
    return vocabulary()[bisect.bisect(weights, rng.random() * weights[-1])]


@cache
def _surnames() -> tuple[str, ...]:
    rng = random.Random(1948)
    made = _made_up_words(6000, set(), rng)
    return tuple(w.capitalize() for w in made)


# --- skeletons --------------------------------------------------------------------------------


@cache
def skeletons() -> tuple[tuple[str, ...], ...]:
    """Real quotation sentences split into words and separators (function words kept)."""
    found: list[str] = []
    for gold in (
        ROOT / "seeds/seeds.gold.json",
        ROOT / "tests/fixtures/articles/fixtures.gold.json",
    ):
        for article in json.loads(gold.read_text(encoding="utf-8"))["articles"]:
            found += [q["text"] for q in article["quotes"] if q.get("kind") != "fragment"]
    out = []
    for text in sorted(set(found)):
        text = re.sub(r"[\"“”‘\[\]()…]|\.\.\.|(?<!\w)['’]|['’](?!\w)", "", text)
        text = text.replace("-", " ").strip(" ,;:–—")
        parts = tuple(p for p in re.split(r"([A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z])", text) if p)
        words = [p for p in parts if _WORD.fullmatch(p)]
        if 8 <= len(words) <= 45 and not any(c.isdigit() for c in text):
            out.append(parts)
    return tuple(out)


# --- canonical quotes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """Someone quoted: a name, a role and the surname the second mention uses."""

    index: int
    first: str
    last: str
    role: str

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first} {self.last}"


@dataclass(frozen=True, slots=True)
class CanonicalQuote:
    """One utterance: its full wording, who said it, its topic."""

    index: int
    text: str
    person: Person
    topic: int


def person(index: int) -> Person:
    """The index-th person of every corpus."""
    rng = random.Random(f"person-{index}")
    return Person(index, rng.choice(_FIRST_NAMES), rng.choice(_surnames()), rng.choice(_ROLES))


@cache
def _topic_words(topic: int) -> tuple[str, ...]:
    rng = random.Random(f"topic-{topic}")
    # Topic words come from the middle ranks: specific enough to mark a topic, common enough
    # to recur ("ceasefire", "tariff", "reservoir").
    middle = _middle_ranks()
    return tuple(rng.choice(middle) for _ in range(TOPIC_WORDS))


@cache
def _middle_ranks() -> tuple[str, ...]:
    return vocabulary()[200:20_000]


def _fill(skeleton: tuple[str, ...], topic: int, rng: random.Random) -> str:
    topic_words = _topic_words(topic)
    out: list[str] = []
    capital = True
    for part in skeleton:
        if not _WORD.fullmatch(part):
            out.append(part)
            stripped = part.rstrip()
            capital = capital or (bool(stripped) and stripped[-1] in ".?!")
            continue
        if part.lower() not in _FUNCTION and "'" not in part and "’" not in part:
            word = rng.choice(topic_words) if rng.random() < TOPIC_SHARE else _zipf_word(rng)
        else:
            word = part if part == "I" or part.startswith(("I'", "I’")) else part.lower()
        if capital:
            word = word[0].upper() + word[1:]
            capital = False
        out.append(word)
    text = "".join(out).strip()
    return text if text[-1] in ".?!" else text + "."


def canonical_quote(index: int, *, topic: int | None = None, salt: str = "") -> CanonicalQuote:
    """The index-th canonical quote of every corpus."""
    rng = random.Random(f"quote-{index}{salt}")
    shapes = skeletons()
    topic = rng.randrange(index // QUOTES_PER_TOPIC + 25) if topic is None else topic
    text = _fill(rng.choice(shapes), topic, rng)
    if rng.random() < 0.35:  # a second sentence
        text += " " + _fill(rng.choice(shapes), topic, rng)
    speaker = person(rng.randrange(max(1, index // QUOTES_PER_PERSON + 50)))
    return CanonicalQuote(index, text, speaker, topic)


def near_topic_quote(quote: CanonicalQuote, index: int) -> CanonicalQuote:
    """A different quote on the same topic (shares topic words, must not merge with `quote`)."""
    other = canonical_quote(index, topic=quote.topic, salt="-near")
    return CanonicalQuote(index, other.text, other.person, quote.topic)


# --- variants ---------------------------------------------------------------------------------


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def _identifying(text: str) -> bool:
    """Enough to identify a quote: three distinct content words, one of them uncommon."""
    content = {w.lower() for w in _WORD.findall(text) if w.lower() not in _FUNCTION}
    content = {w for w in content if "'" not in w and "’" not in w}
    return len(content) >= 3 and any(len(w) >= 5 and w not in COMMON_WORDS for w in content)


def cut(text: str, rng: random.Random, *, min_words: int = 6, max_share: float = 0.8) -> str:
    """A contiguous part of `text` of at least `min_words` words (at most max_share of them)."""
    spans = _word_spans(text)
    n = len(spans)
    if n <= min_words:
        return text
    for _ in range(20):
        size = rng.randint(min_words, max(min_words, int(n * max_share)))
        start = rng.randint(0, n - size)
        piece = text[spans[start][0] : spans[start + size - 1][1]]
        if _identifying(piece):
            return piece
    return text


def ellipsis_cut(text: str, rng: random.Random) -> str:
    """Two parts of `text` joined by an ellipsis, as an outlet trims the middle."""
    spans = _word_spans(text)
    n = len(spans)
    if n < 14:
        return cut(text, rng)
    a_end = rng.randint(5, n // 2 - 1)
    b_start = rng.randint(a_end + 2, n - 5)
    first = text[spans[0][0] : spans[a_end][1]]
    return f"{first} ... {text[spans[b_start][0] :]}"


def fragment(text: str, rng: random.Random) -> str:
    """A short run of words (5-8) with at least three content words."""
    return cut(text, rng, min_words=5, max_share=0.0 if len(_word_spans(text)) < 8 else 0.3)


_ARTICLES = {"a": "the", "the": "a", "an": "the"}
_DROPPABLE = {"really", "literally", "very", "just", "actually", "simply", "also", "still"}


def reword(text: str, rng: random.Random) -> str:
    """One light rewording: an article swapped, a filler or function word dropped, a typo."""
    spans = _word_spans(text)
    words = [text[s:e] for s, e in spans]
    counts = Counter(w.lower() for w in words)
    options: list[tuple[str, int]] = []
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in _ARTICLES:
            options.append(("swap", i))
        if lw in _DROPPABLE:
            options.append(("drop", i))
        # A typo in a word the quote uses once (a repeated word mistyped once is two changes).
        if len(w) >= 7 and lw not in _FUNCTION and w.isalpha() and counts[lw] == 1:
            options.append(("typo", i))
    if not options:
        return text
    action, i = rng.choice(options)
    s, e = spans[i]
    if action == "swap":
        new = _ARTICLES[words[i].lower()]
        if words[i][0].isupper():
            new = new.capitalize()
        return text[:s] + new + text[e:]
    if action == "drop":
        return (text[:s] + text[e:]).replace("  ", " ", 1)
    word = words[i]
    k = rng.randint(1, len(word) - 2)
    return text[: s + k] + text[s + k + 1 :]  # one letter dropped: "masacre"


def typo_query(text: str, rng: random.Random) -> str:
    """A lookup as typed: one letter dropped in a long word."""
    counts = Counter(text[s:e].lower() for s, e in _word_spans(text))
    spans = [(s, e) for s, e in _word_spans(text) if e - s >= 7 and counts[text[s:e].lower()] == 1]
    if not spans:
        return text
    s, e = rng.choice(spans)
    k = rng.randint(s + 1, e - 2)
    return text[:k] + text[k + 1 :]


# --- articles ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quotation printed in an article: which canonical quote, whom the article credits."""

    quote: int  # index of the canonical quote (the truth)
    text: str  # the words as printed
    credited: Person
    kind: VariantKind
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class Article:
    """A generated article with the truth about every quotation in it."""

    index: int
    title: str
    outlet: str
    published: date
    kind: Literal["news", "primary"]
    text: str
    quoted: tuple[Quoted, ...] = field(default_factory=tuple)


def _narrative(rng: random.Random) -> str:
    template = rng.choice(_NARRATIVE)
    return template.format(
        a=_zipf_word(rng),
        b=_zipf_word(rng),
        c=_zipf_word(rng),
        day=rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        outlet=rng.choice(_OUTLETS),
    )


class _Writer:
    """Appends paragraphs and records where each quotation's words landed."""

    def __init__(self) -> None:
        self.text = ""
        self.quoted: list[Quoted] = []

    def paragraph(self, *pieces: str | Quoted) -> None:
        if self.text:
            self.text += "\n\n"
        for piece in pieces:
            if isinstance(piece, str):
                self.text += piece
            else:
                start = len(self.text)
                self.text += piece.text
                self.quoted.append(
                    Quoted(
                        piece.quote, piece.text, piece.credited, piece.kind, start, len(self.text)
                    )
                )


def _strip_end(text: str) -> tuple[str, str]:
    """The quote without its final stop, and that stop."""
    if text[-1] in ".?!":
        return text[:-1], text[-1]
    return text, ""


def render_article(
    index: int,
    quoted: list[Quoted],
    rng: random.Random,
    *,
    kind: Literal["news", "primary"] = "news",
) -> Article:
    """Lay out quotations in an article with varied attribution forms."""
    w = _Writer()
    title = " ".join(_zipf_word(rng).capitalize() for _ in range(rng.randint(3, 6)))
    w.paragraph(title)
    w.paragraph(_narrative(rng) + " " + _narrative(rng))
    named: set[int] = set()
    for q in quoted:
        p = q.credited
        first_mention = p.index not in named
        who = f"{p.role} {p.name}" if first_mention else p.last
        named.add(p.index)
        form = rng.random()
        if q.kind == "fragment":
            frame = rng.choice(_FRAMES)
            before, after = frame.split("{q}")
            w.paragraph(before.format(name=who), q, after)
        elif form < 0.35:
            body, stop = _strip_end(q.text)
            end = "," if stop == "." else stop
            w.paragraph("“", Quoted(q.quote, body, p, q.kind), f"{end}” {who} said.")
        elif form < 0.55:
            w.paragraph(f"{who} said: “", q, "”")
        elif form < 0.7:
            body, stop = _strip_end(q.text)
            end = "," if stop == "." else stop
            mention = f"said {p.name}, the {p.role.lower()}" if first_mention else f"said {p.last}"
            w.paragraph("“", Quoted(q.quote, body, p, q.kind), f"{end}” {mention}.")
        elif form < 0.85:
            w.paragraph(f"According to {who}, “", q, "”")
        else:
            w.paragraph(f"{who} told reporters on {rng.choice(('Monday', 'Friday'))}:")
            w.paragraph("“", q, "”")
        w.paragraph(" ".join(_narrative(rng) for _ in range(rng.randint(1, 3))))
    w.paragraph(_narrative(rng))
    published = FIRST_DAY + timedelta(days=index % 3000)
    return Article(index, title, rng.choice(_OUTLETS), published, kind, w.text, tuple(w.quoted))


def variant(quote: CanonicalQuote, kind: VariantKind, rng: random.Random) -> Quoted:
    """What an article prints of `quote`, and whom it credits."""
    text = quote.text
    credited = quote.person
    if kind == "cut":
        text = cut(text, rng)
    elif kind == "ellipsis":
        text = ellipsis_cut(text, rng)
    elif kind == "fragment":
        text = fragment(text, rng)
    elif kind == "reworded":
        text = reword(text, rng)
    elif kind == "recredit":
        credited = person(quote.person.index + 1 + rng.randrange(50))
    return Quoted(quote.index, text, credited, kind)


_VARIANT_WEIGHTS: dict[VariantKind, float] = {
    "full": 0.4,
    "cut": 0.2,
    "ellipsis": 0.05,
    "fragment": 0.1,
    "reworded": 0.2,
    "recredit": 0.05,
}


def articles(
    first_quote: int, n_quotes: int, *, seed: str = "stored", quotes_per_article: int = 4
) -> list[Article]:
    """Articles first printing quotes [first_quote, first_quote + n_quotes), in full."""
    out = []
    for start in range(first_quote, first_quote + n_quotes, quotes_per_article):
        rng = random.Random(f"{seed}-article-{start}")
        batch = [
            canonical_quote(i)
            for i in range(start, min(start + quotes_per_article, first_quote + n_quotes))
        ]
        quoted = [Quoted(q.index, q.text, q.person, "full") for q in batch]
        out.append(render_article(start // quotes_per_article, quoted, rng))
    return out


def new_articles(
    count: int, *, stored_quotes: int, seed: str = "incoming", new_share: float = 0.4
) -> list[Article]:
    """Incoming articles: variants of stored quotes mixed with quotes not stored yet.

    New quotes take indexes from 10**9 upward so they never collide with stored ones.
    """
    out = []
    kinds = list(_VARIANT_WEIGHTS)
    weights = list(_VARIANT_WEIGHTS.values())
    for a in range(count):
        rng = random.Random(f"{seed}-{a}")
        quoted: list[Quoted] = []
        for slot in range(rng.randint(3, 6)):
            if rng.random() < new_share or stored_quotes == 0:
                quote = canonical_quote(10**9 + a * 8 + slot)
                if rng.random() < 0.2 and stored_quotes:
                    # A different quote on the topic of a stored one.
                    quote = near_topic_quote(
                        canonical_quote(rng.randrange(stored_quotes)), quote.index
                    )
                quoted.append(Quoted(quote.index, quote.text, quote.person, "full"))
            else:
                quote = canonical_quote(rng.randrange(stored_quotes))
                quoted.append(variant(quote, rng.choices(kinds, weights)[0], rng))
        out.append(render_article(10**6 + a, quoted, rng))
    return out


# --- lookup queries ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """A perturbed lookup and the canonical quote it must find first."""

    text: str
    quote: int
    kind: QueryKind


_QUERY_KINDS: tuple[QueryKind, ...] = (
    "full",
    "cut",
    "cut",
    "fragment",
    "reworded",
    "typo",
    "cut_reworded",
    "case",
)


def queries(count: int, *, stored_quotes: int, seed: str = "queries") -> list[Query]:
    """Lookups a fact-checker would paste: cuts, fragments, rewordings, typos, other casing."""
    out = []
    for i in range(count):
        rng = random.Random(f"{seed}-{i}")
        quote = canonical_quote(rng.randrange(stored_quotes))
        kind = _QUERY_KINDS[i % len(_QUERY_KINDS)]
        text = quote.text
        if kind == "cut":
            text = cut(text, rng, min_words=7)
        elif kind == "fragment":
            text = fragment(text, rng)
        elif kind == "reworded":
            text = reword(text, rng)
        elif kind == "typo":
            text = typo_query(text, rng)
        elif kind == "cut_reworded":
            text = reword(cut(text, rng, min_words=8), rng)
        elif kind == "case":
            text = re.sub(r"[.,;:!?]", "", text.upper() if rng.random() < 0.5 else text.lower())
        out.append(Query(text, quote.index, kind))
    return out
