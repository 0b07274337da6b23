"""Scoring extraction and attribution against a gold file in the seeds.gold.json format.

A gold quote is found when predicted spans cover at least 80% of its characters; a prediction is
correct when at least 80% of it lies inside gold quotes (so a split quote returned whole counts).
Optional gold quotes count neither way. Speaker accuracy is over found quotes: the prediction
overlapping a gold quote most must name its speaker or one of the speaker's gold aliases.

Clustering (score_clusters) maps each found gold quote to the canonical quote of the stored
appearance overlapping it most, and scores those canonical quotes against the gold clusters with
B-cubed precision and recall; a gold quote not found is a cluster of its own.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from quotetrail.pipeline.types import Quotation

COVERAGE = 0.8


class GoldError(ValueError):
    """The gold file is malformed or does not match its documents."""


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One annotated quotation, located in its document."""

    text: str
    start: int
    end: int
    speaker: str
    kind: str
    cluster: str | None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """The annotations of one document."""

    file: str
    quotes: tuple[GoldQuote, ...]
    optional: tuple[GoldQuote, ...]
    not_quotes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoldMisattribution:
    """An article crediting a cluster's words to someone who did not say them."""

    cluster: str
    file: str
    attributed_to: str
    actual_speaker: str


@dataclass(frozen=True, slots=True)
class Gold:
    """A whole gold file: articles plus the speakers' aliases and the known misattributions."""

    articles: tuple[GoldArticle, ...]
    aliases: Mapping[str, frozenset[str]]
    misattributions: tuple[GoldMisattribution, ...] = ()


_PUNCT = regex.compile(r"[^\p{L}\p{N}]+")


def name_key(name: str) -> str:
    """Case-, accent-, apostrophe- and punctuation-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return str(_PUNCT.sub(" ", stripped.lower().replace("’", "").replace("'", ""))).strip()


def _occurrences(text: str, quote: str) -> list[int]:
    starts = []
    start = text.find(quote)
    while start >= 0:
        starts.append(start)
        start = text.find(quote, start + 1)
    return starts


def _locate(text: str, quotes: Sequence[str], file: str) -> list[int]:
    """Offsets of gold texts: the first unused occurrence not inside another gold quote.

    A fragment can repeat words of a longer quotation of the same article; its annotation means
    the separate occurrence, not the words inside the longer one.
    """
    firsts = []
    for quote in quotes:
        found = text.find(quote)
        if found < 0:
            raise GoldError(f"{file}: gold text not found in the document: {quote[:60]!r}")
        firsts.append((found, found + len(quote)))
    taken: set[int] = set()
    starts = []
    for k, quote in enumerate(quotes):
        options = [s for s in _occurrences(text, quote) if s not in taken]
        outside = [
            s
            for s in options
            if not any(
                j != k and a <= s and s + len(quote) <= b and b - a > len(quote)
                for j, (a, b) in enumerate(firsts)
            )
        ]
        start = (outside or options or [firsts[k][0]])[0]
        taken.add(start)
        starts.append(start)
    return starts


def load_gold(path: Path, documents: Mapping[str, str]) -> Gold:
    """Read a gold file and locate each annotation in its document text."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        articles_data = data["articles"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise GoldError(f"{path}: not a gold file ({error})") from error
    aliases: dict[str, frozenset[str]] = {}
    for name, info in (data.get("speakers") or {}).items():
        keys = {name_key(name)} | {name_key(a) for a in (info or {}).get("aliases", [])}
        aliases[name] = frozenset(keys)
    articles = []
    for entry in articles_data:
        file = entry["file"]
        if file not in documents:
            raise GoldError(f"{path}: document {file} not found")
        text = documents[file]
        groups = {
            "quotes": entry.get("quotes", []),
            "optional": entry.get("optional", []),
        }
        items = groups["quotes"] + groups["optional"]
        starts = _locate(text, [str(item["text"]) for item in items], file)
        located = [
            GoldQuote(
                text=str(item["text"]),
                start=start,
                end=start + len(str(item["text"])),
                speaker=str(item.get("speaker") or ""),
                kind=str(item.get("kind") or "direct"),
                cluster=str(item["cluster"]) if item.get("cluster") else None,
            )
            for item, start in zip(items, starts, strict=True)
        ]
        count = len(groups["quotes"])
        articles.append(
            GoldArticle(
                file=file,
                quotes=tuple(located[:count]),
                optional=tuple(located[count:]),
                not_quotes=tuple(
                    str(n["text"]) if isinstance(n, dict) else str(n)
                    for n in entry.get("not_quotes", [])
                ),
            )
        )
    try:
        misattributions = tuple(
            GoldMisattribution(
                cluster=str(item["cluster"]),
                file=str(item["file"]),
                attributed_to=str(item.get("attributed_to") or ""),
                actual_speaker=str(item.get("actual_speaker") or ""),
            )
            for item in data.get("misattributions") or []
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise GoldError(f"{path}: malformed misattributions ({error})") from error
    return Gold(articles=tuple(articles), aliases=aliases, misattributions=misattributions)


def _covered(start: int, end: int, spans: Sequence[tuple[int, int]]) -> int:
    """Characters of [start, end) inside the union of `spans`."""
    covered = 0
    cursor = start
    for s, e in sorted(spans):
        s, e = max(s, cursor), min(e, end)
        if e > s:
            covered += e - s
            cursor = e
    return covered


def speaker_matches(
    predicted: str | None, gold: str, aliases: Mapping[str, frozenset[str]]
) -> bool:
    """Whether a predicted speaker names the gold speaker (its name or a gold alias)."""
    if not predicted:
        return False
    keys = aliases.get(gold, frozenset({name_key(gold)}))
    return name_key(predicted) in keys or name_key(predicted) == name_key(gold)


@dataclass(slots=True)
class Report:
    """Extraction and attribution figures, with the misses and extras behind them."""

    gold_quotes: int = 0
    found: int = 0
    predictions: int = 0
    correct_predictions: int = 0
    speaker_correct: int = 0
    not_quotes_extracted: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong_speakers: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of predictions lying inside gold quotes."""
        return self.correct_predictions / self.predictions if self.predictions else 1.0

    @property
    def recall(self) -> float:
        """Share of gold quotes covered by predictions."""
        return self.found / self.gold_quotes if self.gold_quotes else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        """Share of found gold quotes whose speaker is right."""
        return self.speaker_correct / self.found if self.found else 1.0

    def summary(self) -> dict[str, float | int]:
        """The figures as a flat mapping."""
        return {
            "gold_quotes": self.gold_quotes,
            "predictions": self.predictions,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "speaker_accuracy": round(self.speaker_accuracy, 4),
            "not_quotes_extracted": self.not_quotes_extracted,
        }


def score(
    gold: Gold, predictions: Mapping[str, Sequence[Quotation]], documents: Mapping[str, str]
) -> Report:
    """Score predicted quotations against the gold annotations."""
    report = Report()
    for article in gold.articles:
        predicted = list(predictions.get(article.file, ()))
        text = documents[article.file]
        gold_spans = [(q.start, q.end) for q in article.quotes]
        optional_spans = [(q.start, q.end) for q in article.optional]
        predicted_spans = [(p.start, p.end) for p in predicted]
        for quote in article.quotes:
            report.gold_quotes += 1
            if _covered(quote.start, quote.end, predicted_spans) < COVERAGE * (
                quote.end - quote.start
            ):
                report.misses.append(f"{article.file}: MISS [{quote.speaker}] {quote.text[:90]!r}")
                continue
            report.found += 1
            best = max(
                predicted, key=lambda p: _covered(p.start, p.end, [(quote.start, quote.end)])
            )
            if speaker_matches(best.speaker, quote.speaker, gold.aliases):
                report.speaker_correct += 1
            else:
                report.wrong_speakers.append(
                    f"{article.file}: SPEAKER {best.speaker!r} (as written"
                    f" {best.speaker_as_written!r}, cue {best.cue!r}) should be {quote.speaker!r}:"
                    f" {quote.text[:70]!r}"
                )
        for p in predicted:
            length = max(p.end - p.start, 1)
            if _covered(p.start, p.end, optional_spans) >= COVERAGE * length:
                continue
            report.predictions += 1
            if _covered(p.start, p.end, gold_spans + optional_spans) >= COVERAGE * length:
                report.correct_predictions += 1
            else:
                report.extras.append(f"{article.file}: EXTRA [{p.speaker}] {p.text[:90]!r}")
        for not_quote in article.not_quotes:
            if any(text[p.start : p.end] == not_quote for p in predicted):
                report.not_quotes_extracted += 1
    return report


# --- clustering -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PredictedAppearance:
    """A stored appearance of a canonical quote in a document, with its verdicts."""

    start: int
    end: int
    quote_id: int
    status: str  # the appearance's own status
    quote_status: str  # its canonical quote's attribution_status


FLAGGING_QUOTE_STATUSES = frozenset({"disputed", "uncertain"})


def bcubed(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering; item i is in gold[i] and predicted[i]."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels must be of the same length")
    if not gold:
        return 1.0, 1.0, 1.0
    pairs = Counter(zip(gold, predicted, strict=True))
    gold_sizes = Counter(gold)
    predicted_sizes = Counter(predicted)
    precision = recall = 0.0
    for (g, p), together in pairs.items():
        # Each of the `together` items sees `together` items sharing both of its clusters.
        precision += together * together / predicted_sizes[p]
        recall += together * together / gold_sizes[g]
    precision /= len(gold)
    recall /= len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(slots=True)
class ClusterReport:
    """Clustering and verdict figures over the gold quotes, with the errors behind them."""

    gold_quotes: int = 0
    found: int = 0
    precision: float = 1.0
    recall: float = 1.0
    f1: float = 1.0
    misattributions: int = 0
    misattributions_flagged: int = 0
    consistent_clusters: int = 0
    consistent_disputed: int = 0
    consistent_uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        """The figures as a flat mapping (keys prefixed so they sit beside extraction's)."""
        return {
            "cluster_precision": round(self.precision, 4),
            "cluster_recall": round(self.recall, 4),
            "cluster_f1": round(self.f1, 4),
            "misattributions": self.misattributions,
            "misattributions_flagged": self.misattributions_flagged,
            "consistent_clusters": self.consistent_clusters,
            "consistent_disputed": self.consistent_disputed,
            "consistent_uncertain": self.consistent_uncertain,
        }


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _appearance_of(
    quote: GoldQuote, appearances: Sequence[PredictedAppearance]
) -> PredictedAppearance | None:
    """The appearance covering a gold quote most, if appearances cover enough of it."""
    spans = [(a.start, a.end) for a in appearances]
    if _covered(quote.start, quote.end, spans) < COVERAGE * (quote.end - quote.start):
        return None
    return max(appearances, key=lambda a: _overlap(a.start, a.end, quote.start, quote.end))


def score_clusters(
    gold: Gold, appearances: Mapping[str, Sequence[PredictedAppearance]]
) -> ClusterReport:
    """Score canonical quotes (appearances per document) against the gold clusters."""
    report = ClusterReport()
    gold_labels: list[str] = []
    predicted_labels: list[str] = []
    found: dict[tuple[str, int], PredictedAppearance] = {}  # (file, gold index) -> appearance
    members: dict[str, list[tuple[str, int, GoldQuote]]] = {}
    for article in gold.articles:
        for index, quote in enumerate(article.quotes):
            label = quote.cluster or f"{article.file}#{index}"
            members.setdefault(label, []).append((article.file, index, quote))
            appearance = _appearance_of(quote, appearances.get(article.file, ()))
            gold_labels.append(label)
            if appearance is None:
                predicted_labels.append(f"missed:{article.file}#{index}")
                continue
            found[(article.file, index)] = appearance
            predicted_labels.append(f"quote:{appearance.quote_id}")
    report.gold_quotes = len(gold_labels)
    report.found = len(found)
    report.precision, report.recall, report.f1 = bcubed(gold_labels, predicted_labels)

    # Errors, for --verbose: gold clusters split over several quotes, quotes joining clusters.
    quote_clusters: dict[int, set[str]] = {}
    for label, items in members.items():
        quotes = {found[(f, i)].quote_id for f, i, _ in items if (f, i) in found}
        for quote_id in quotes:
            quote_clusters.setdefault(quote_id, set()).add(label)
        if len(quotes) > 1:
            report.errors.append(f"SPLIT cluster {label} over quotes {sorted(quotes)}")
    for quote_id, labels in sorted(quote_clusters.items()):
        if len(labels) > 1:
            report.errors.append(f"JOINED quote {quote_id} holds clusters {sorted(labels)}")

    misattributed_clusters = {m.cluster for m in gold.misattributions}
    for entry in gold.misattributions:
        report.misattributions += 1
        flagged = [
            found[(f, i)]
            for f, i, _ in members.get(entry.cluster, [])
            if f == entry.file and (f, i) in found
        ]
        if any(
            a.status == "misattributed" or a.quote_status in FLAGGING_QUOTE_STATUSES
            for a in flagged
        ):
            report.misattributions_flagged += 1
        else:
            report.errors.append(
                f"UNFLAGGED misattribution of {entry.cluster} in {entry.file} "
                f"(credited to {entry.attributed_to})"
            )
    for label, items in members.items():
        speakers = {name_key(q.speaker) for _, _, q in items}
        if label in misattributed_clusters or len(speakers) != 1:
            continue
        statuses = {found[(f, i)].quote_status for f, i, _ in items if (f, i) in found}
        if not statuses:
            continue
        report.consistent_clusters += 1
        if "disputed" in statuses:
            report.consistent_disputed += 1
            report.errors.append(f"DISPUTED consistent cluster {label}")
        elif "uncertain" in statuses:
            report.consistent_uncertain += 1
            report.errors.append(f"UNCERTAIN consistent cluster {label}")
    return report
