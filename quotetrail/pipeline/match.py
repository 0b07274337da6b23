"""Matching a quotation against canonical quotes (stage 4).

Candidates come from an index (pipeline.index.QuoteIndex) keyed by `index_keys`; `best_match`
confirms them. Both work on word tokens (pipeline.normalize.tokens): two wordings of one
utterance are aligned word by word with rapidfuzz (its partial_ratio and LCS accept sequences of
words as they accept strings of letters), and the differences left over are counted. Function
words ("a"/"the") are cheap to change; content words are not; negations never.
"""

from __future__ import annotations

import itertools
import operator
import re
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq, Levenshtein

from quotetrail.pipeline.normalize import tokens

Relation = Literal["verbatim", "excerpt", "contains", "reworded"]


def _wordlist(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- word classes -----------------------------------------------------------------------------

# Function words: changing, adding or dropping one of them is a light rewording ("a massacre" /
# "the massacre"). Negations are deliberately absent: they flip the meaning.
STOPWORDS: frozenset[str] = _wordlist(
    """
    a an the this that these those there here
    i me my mine myself we us our ours ourselves you your yours yourself yourselves
    he him his himself she her hers herself it its itself they them their theirs themselves
    who whom whose which what when where why how whether
    am is are was were be been being have has had having do does did doing
    will would shall should can could may might must ought
    and or but if then else so because as than though although while until unless
    of at by for with about against between into through during before after above below
    to from up down in out on off over under again further once onto upon within along
    across around among toward towards via per
    all any both each few more most other some such only own same too very just also
    even still yet already ever quite rather really
    s t d ll m o re ve y
    """
)

# A dropped or added negation is never a light rewording.
NEGATIONS: frozenset[str] = _wordlist(
    """
    not no never nor neither none nobody nothing nowhere without cannot
    """
)

# Frequent content words: fine inside a longer fragment, but a fragment whose only content
# words are these ("the end of the day", "very important") is too common to identify a quote.
COMMON_WORDS: frozenset[str] = _wordlist(
    """
    say says said saying tell told ask asked make made get got go going gone went come came
    take took know knew think thought see saw look want give gave use find found work seem
    feel try tried leave left call called need keep let put mean help show turn start
    people person time times year years day days week weeks month months way ways thing things
    good better best bad worse worst new old first last long great little big high low small
    large next early late young important different able sure clear real right wrong whole
    well back much many lot lots one two three four five ten hundred thousand million
    man men woman women child children life lives world country countries state states
    government war part place case number group problem fact point end side hand home
    today yesterday tomorrow now ago like every another something anything everything someone
    anyone everyone nobody
    """
)

# Contractions that hide a negation are spelled out so that "don't" and "do not" align.
_CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "hasnt": ("has", "not"),
    "havent": ("have", "not"),
    "hadnt": ("had", "not"),
    "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"),
    "couldnt": ("could", "not"),
    "mustnt": ("must", "not"),
    "neednt": ("need", "not"),
}

# --- thresholds -------------------------------------------------------------------------------

# A wording shorter than this never joins anything, not even verbatim: "the war" or "very
# important" from two articles are not evidence of one utterance, and a false join would
# create a false attribution dispute.
MIN_WORDS = 4
# The shorter wording must share at least this many content words with the longer one...
MIN_CONTENT_WORDS = 2
# ...and at least this many informative ones (content words not in COMMON_WORDS and of at least
# INFORMATIVE_MIN_LENGTH letters): "what they consider to be a massacre" qualifies, "at the end
# of the day" does not.
MIN_INFORMATIVE_WORDS = 1
INFORMATIVE_MIN_LENGTH = 4
# Word-level similarity 2*LCS/(len(shorter) + len(aligned span of the longer)). 0.8 admits one
# changed function word in a 5-word fragment and one dropped word in a 4-word one, and rejects
# a 4-word fragment with a word changed (0.75).
MIN_SIMILARITY = 0.8
# Content words that differ (missing from one side or extra on the other) allowed within the
# aligned span: at least MIN_CONTENT_DIFFS (a dropped "literally"), and CONTENT_DIFF_RATE of the
# shorter wording's content words for long quotes. A substituted content word counts twice, so
# two different sentences on one topic ("... has collapsed" / "... has held") stay apart unless
# the sentence is long enough (>= 14 content words) for one substitution to be a misquote.
MIN_CONTENT_DIFFS = 1
CONTENT_DIFF_RATE = 0.15
# Function words that differ: two covers one substitution ("a" -> "the"); long quotes may drift
# more (FUNCTION_DIFF_RATE of all words).
MIN_FUNCTION_DIFFS = 2
FUNCTION_DIFF_RATE = 0.25
# A typo pair ("bare"/"bear" is not one, "massacre"/"masacre" is) costs half a content change:
# it is probably the same word, but not certainly.
TYPO_COST = 0.5
# Words at least this long may pair with one edit; at least TYPO_LONG_LENGTH with two. Shorter
# words differ by one letter too often to be typos ("now"/"not", "then"/"than").
TYPO_MIN_LENGTH = 5
TYPO_LONG_LENGTH = 9
# Words of slack either side of the best window found by partial_ratio, so that a word inserted
# or dropped inside the span is still seen; a quarter of the fragment for long fragments.
ALIGN_SLACK = 2
# Keys per quote: every content bigram of a quote up to this many content words is kept, so any
# fragment with two content words finds its quote; longer texts are winnowed.
MAX_KEYS = 128
# lookup_scores: unconfirmed candidates score at most this, below every confirmed match
# (confirmed matches have similarity >= MIN_SIMILARITY).
LOOKUP_UNCONFIRMED_CAP = 0.79

_ELLIPSIS = re.compile(r"\[\s*(?:…|\.\s*\.\s*\.)\s*\]|…|\.\s*\.\s*\.")
_RELATION_ORDER: dict[str, int] = {"verbatim": 0, "reworded": 1, "contains": 2, "excerpt": 3}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored canonical quote offered for matching."""

    id: int
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """A confirmed match of a new quotation against a canonical quote.

    `relation` is seen from the new text: "excerpt" (it is a cut or fragment of the candidate),
    "contains" (it is a longer version that contains the candidate), "reworded" (the same
    extent, lightly changed), "verbatim". `score` in [0, 1] is the word-level similarity of the
    aligned parts (an exact cut scores 1.0); for a rewording it is also capped by the letter-level
    similarity, so a typo or a split compound scores just under 1.0.
    """

    id: int
    relation: Relation
    score: float


@dataclass(frozen=True, slots=True)
class Wording:
    """One wording of a canonical quote, as an appearance gives it."""

    text: str
    primary: bool
    published: date | None


# --- text analysis ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Text:
    plain: tuple[str, ...]  # tokens() of the text: equal plain tokens make a verbatim match
    segments: tuple[tuple[str, ...], ...]  # runs of words between the writer's ellipses
    words: tuple[str, ...]  # all segments, contractions spelled out
    wordset: frozenset[str]
    content: frozenset[str]
    n_content: int
    # Computed on first use: most of a lookup's candidates are ranked without them, and
    # analysing candidates is most of a lookup's CPU. Threads share analyses (_analyse's cache);
    # two computing one at once store equal values.
    _joins: frozenset[str] | None = None
    _n_informative: int | None = None

    @property
    def joins(self) -> frozenset[str]:
        """Each pair of neighbouring words written as one ("air"+"strikes")."""
        if self._joins is None:
            # Joined pairwise by map (no per-pair generator step).
            self._joins = frozenset(
                itertools.chain.from_iterable(
                    map(operator.add, seg, seg[1:]) for seg in self.segments
                )
            )
        return self._joins

    @property
    def n_informative(self) -> int:
        """How many of the words (repeats included) are informative content words."""
        if self._n_informative is None:
            self._n_informative = sum(map(_is_informative, self.words))  # no stopword is
        return self._n_informative


def _is_content(word: str) -> bool:
    return word not in STOPWORDS


@lru_cache(maxsize=65536)
def _is_informative(word: str) -> bool:
    if word in STOPWORDS or word in COMMON_WORDS:
        return False
    if not word.isalpha():
        return len(word) >= 2
    return len(word) >= INFORMATIVE_MIN_LENGTH


@lru_cache(maxsize=8192)
def _analyse(text: str) -> _Text:
    # Canonical quotes are compared again and again; analysing each text once pays for itself.
    # An analysis takes about 10 kB for a 30-word quote, so the cache stays under ~100 MB.
    pieces = [tokens(piece) for piece in _ELLIPSIS.split(text)]
    plain = tuple(itertools.chain.from_iterable(pieces))
    segments: list[tuple[str, ...]] = []
    for piece in pieces:
        if not _CONTRACTIONS.keys().isdisjoint(piece):
            piece = [w for word in piece for w in _CONTRACTIONS.get(word, (word,))]
        if piece:
            segments.append(tuple(piece))
    words = tuple(itertools.chain.from_iterable(segments))
    content = [w for w in words if w not in STOPWORDS]
    return _Text(
        plain=plain,
        segments=tuple(segments),
        words=words,
        wordset=frozenset(words),
        content=frozenset(content),
        n_content=len(content),
    )


# --- index keys -------------------------------------------------------------------------------


def _key_word(word: str) -> str:
    # Plural and singular share keys ("massacre"/"massacres", "airstrike"/"airstrikes").
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _winnow(keys: list[str], limit: int) -> list[str]:
    """Keep at most `limit` keys so that any run of `window` shared keys keeps one in common."""
    # Winnowing (Schleimer et al., SIGMOD 2003): the minimum hash of every window is kept. The
    # choice depends only on the keys, so a fragment and its quote keep the same ones.
    hashes = [zlib.crc32(k.encode()) for k in keys]
    window = 1
    chosen: set[int] = set(range(len(keys)))
    while len(chosen) > limit:
        window += 1
        chosen = {
            min(range(i, i + window), key=lambda j: (hashes[j], j))
            for i in range(len(keys) - window + 1)
        }
    return [keys[i] for i in sorted(chosen)]


def _content_words(text: str) -> list[str]:
    return [w for w in _analyse(text).words if _is_content(w)]


def index_keys(text: str) -> frozenset[str]:
    """Return the keys under which `text` is indexed and by which it finds candidates."""
    content = [_key_word(w) for w in _content_words(text)]
    # Bigrams of consecutive content words: skipping function words makes "a massacre" and "the
    # massacre" share keys, and every fragment with two content words has at least one bigram.
    bigrams = list(dict.fromkeys(f"{a} {b}" for a, b in itertools.pairwise(content)))
    # Single informative words let short or reworded texts that share no bigram still meet.
    singles = list(dict.fromkeys(w for w in content if _is_informative(w)))
    if len(bigrams) >= MAX_KEYS:
        return frozenset(_winnow(bigrams, MAX_KEYS))
    # Longer words are rarer, so they are the singles worth keeping when space runs out.
    singles.sort(key=lambda w: (-len(w), zlib.crc32(w.encode())))
    return frozenset(bigrams + singles[: MAX_KEYS - len(bigrams)])


def pair_keys(keys: Iterable[str]) -> frozenset[str]:
    """The word-pair keys among index keys ("airstrike village", not "airstrike")."""
    return frozenset(key for key in keys if " " in key)  # a single word's key has no space


# --- respelling (service.lookup) --------------------------------------------------------------

# Longer words are not respelt: their one-edit spellings grow with their length, and a "word" of
# hundreds of letters pasted into a lookup must not cost thousands of index reads.
RESPELL_MAX_LENGTH = 24
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_edit_away(word: str) -> set[str]:
    """Every spelling one edit from `word`: a letter dropped, added or changed, or two
    neighbouring letters swapped (Damerau-Levenshtein distance 1), over the letters a-z."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    spellings = {a + b[1:] for a, b in splits if b}
    spellings.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    spellings.update(a + c + b[1:] for a, b in splits if b for c in _LETTERS)
    spellings.update(a + c + b for a, b in splits for c in _LETTERS)
    spellings.discard(word)
    return spellings


def respellable_words(text: str) -> dict[str, frozenset[str]]:
    """The words of `text` a typo may hide in, each with every key it is part of (index_keys:
    the word pairs it forms with the content words either side, and itself if informative).

    Only informative words (a common word spelt right needs no respelling, and a misspelt one is
    no longer common) that the matcher forgives a typo in (TYPO_MIN_LENGTH letters or more), of
    letters only, at most RESPELL_MAX_LENGTH long.
    """
    content = _content_words(text)
    found: dict[str, set[str]] = {}
    for i, word in enumerate(content):
        if (
            _typo_eligible(word)
            and word.isalpha()
            and len(word) <= RESPELL_MAX_LENGTH
            and _is_informative(_key_word(word))
        ):
            found.setdefault(word, set()).update(_keys_around(content, i, word))
    return {word: frozenset(keys) for word, keys in found.items()}


def respelling_probes(text: str, words: Collection[str]) -> dict[str, tuple[int, str]]:
    """For each spelling one edit from one of `words` (one_edit_away), at each place the word
    stands in `text`: the one key that tells whether the index holds the spelling there (the
    word pair it would form with the next content word, or the one before, or the word alone),
    mapped to its place and spelling (for respelt_keys). A quote holds every pair of its
    content words (up to MAX_KEYS pairs), so one key suffices to find the spelling."""
    content = _content_words(text)
    probes: dict[str, tuple[int, str]] = {}
    for i, word in enumerate(content):
        if word not in words:
            continue
        after = _key_word(content[i + 1]) if i + 1 < len(content) else None
        before = _key_word(content[i - 1]) if i > 0 else None
        for spelling in one_edit_away(word):
            if not _is_content(spelling):
                continue
            key = _key_word(spelling)
            if after is not None:
                probes[f"{key} {after}"] = (i, spelling)
            elif before is not None:
                probes[f"{before} {key}"] = (i, spelling)
            elif _is_informative(key):
                probes[key] = (i, spelling)
    return probes


def respelt_keys(text: str, respelt: Iterable[tuple[int, str]]) -> frozenset[str]:
    """Every key `text` would have with these spellings at their places (respelling_probes):
    each one's pairs with the content words either side, and itself if informative."""
    content = _content_words(text)
    return frozenset(itertools.chain.from_iterable(_keys_around(content, *r) for r in respelt))


def _keys_around(content: Sequence[str], i: int, word: str) -> list[str]:
    """The keys `word` would be part of at position `i` of `content` (as index_keys makes
    them): itself if informative, then its pairs with the word before and the word after."""
    key = _key_word(word)
    keys = [key] if _is_informative(key) else []
    if i > 0:
        keys.append(f"{_key_word(content[i - 1])} {key}")
    if i + 1 < len(content):
        keys.append(f"{key} {_key_word(content[i + 1])}")
    return keys


# --- alignment --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Alignment:
    similarity: float  # 2 * matched / (len(short) + aligned span of long)
    matched: int
    matched_content: int
    matched_informative: int
    content_diffs: float
    function_diffs: int
    negation_changed: bool
    cut: bool  # the long text has words outside the span, or the short one elides some


def _merge_compounds(words: Sequence[str], joins: set[str]) -> list[str]:
    # "air strikes" -> "airstrikes" when the other wording writes it as one word.
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and words[i] + words[i + 1] in joins:
            out.append(words[i] + words[i + 1])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def _typo_eligible(word: str) -> bool:
    return len(word) >= TYPO_MIN_LENGTH and word not in NEGATIONS and not word.isdigit()


def _pair_typos(short_words: set[str], long_words: set[str]) -> dict[str, str]:
    """Map words of the long wording to the short wording's word they are a typo of."""
    only_long = sorted(w for w in long_words - short_words if _typo_eligible(w))
    rename: dict[str, str] = {}
    for word in sorted(w for w in short_words - long_words if _typo_eligible(w)):
        if not only_long:
            break
        budget = 2 if len(word) >= TYPO_LONG_LENGTH else 1
        found = process.extractOne(
            word, only_long, scorer=Levenshtein.distance, score_cutoff=budget
        )
        if found is not None:
            rename[found[0]] = word
            only_long.remove(found[0])
    return rename


def _block_similarity(blocks: list[tuple[int, int, int]], length: int) -> float:
    matched = sum(size for _, _, size in blocks)
    span = blocks[-1][1] + blocks[-1][2] - blocks[0][1]
    return 2 * matched / (length + span)


def _align_segment(
    seg: Sequence[str], long: Sequence[str], start: int
) -> list[tuple[int, int, int]]:
    """Matching blocks (index in seg, index in long, size) of seg's best place in long[start:]."""
    # rapidfuzz compares sequences of words as it compares strings of letters.
    rest = long[start:]
    if not rest or not seg:
        return []
    lo, hi = 0, len(rest)
    if len(seg) < len(rest):
        found = fuzz.partial_ratio_alignment(seg, rest)
        if found is not None:
            slack = max(ALIGN_SLACK, len(seg) // 4)
            lo = max(0, found.dest_start - slack)
            hi = min(len(rest), found.dest_end + slack)
    blocks = [
        (b.a, start + lo + b.b, b.size)
        for b in LCSseq.editops(seg, rest[lo:hi]).as_matching_blocks()
        if b.size
    ]
    # The LCS may pick a stray word far from the rest; drop end blocks while that helps.
    while len(blocks) > 1:
        current = _block_similarity(blocks, len(seg))
        if _block_similarity(blocks[1:], len(seg)) > current:
            blocks = blocks[1:]
        elif _block_similarity(blocks[:-1], len(seg)) > current:
            blocks = blocks[:-1]
        else:
            break
    return blocks


def _align(short: _Text, long: _Text) -> _Alignment:
    """Align `short` inside `long` word by word and count what differs."""
    segments: list[Sequence[str]] = list(short.segments)
    long_words: Sequence[str] = long.words
    # Compounds are joined on whichever side writes them as two words.
    if joins := set(short.joins & long.wordset) - short.wordset:
        segments = [_merge_compounds(seg, joins) for seg in segments]
    if joins := set(long.joins & short.wordset) - long.wordset:
        long_words = _merge_compounds(long_words, joins)
    short_words = [w for seg in segments for w in seg]
    rename = _pair_typos(set(short_words), set(long_words))
    if rename:
        long_words = [rename.get(w, w) for w in long_words]

    matched_short: list[int] = []
    matched_long: set[int] = set()
    spans: list[list[int]] = []
    offset = 0
    for seg in segments:
        # Each run between the writer's ellipses is found in order; what the ellipsis elided
        # is neither a difference nor outside the quote.
        position = spans[-1][1] if spans else 0
        blocks = _align_segment(seg, long_words, position)
        if blocks:
            for a, b, size in blocks:
                matched_short.extend(range(offset + a, offset + a + size))
                matched_long.update(range(b, b + size))
            spans.append([blocks[0][1], blocks[-1][1] + blocks[-1][2]])
        offset += len(seg)
    if not spans:
        return _Alignment(0.0, 0, 0, 0, float(len(short_words)), 0, False, False)

    # Words the short text has before its first match (or after its last) face the long text's
    # words just outside the span: those are substitutions, not a cut.
    spans[0][0] -= min(matched_short[0], spans[0][0])
    spans[-1][1] += min(len(short_words) - 1 - matched_short[-1], len(long_words) - spans[-1][1])
    span_len = sum(end - begin for begin, end in spans)
    elided = span_len != spans[-1][1] - spans[0][0]
    outside = spans[0][0] + len(long_words) - spans[-1][1]

    matched_set = set(matched_short)
    missed = [w for i, w in enumerate(short_words) if i not in matched_set]
    extra = [long_words[i] for b, e in spans for i in range(b, e) if i not in matched_long]
    matched_content = [w for w in (short_words[i] for i in matched_short) if w not in STOPWORDS]
    changed = missed + extra
    typos = sum(1 for w in rename.values() if w in matched_content)
    return _Alignment(
        similarity=2 * len(matched_short) / (len(short_words) + span_len),
        matched=len(matched_short),
        matched_content=len(matched_content),
        matched_informative=sum(1 for w in matched_content if _is_informative(w)),
        content_diffs=sum(1 for w in changed if w not in STOPWORDS) + TYPO_COST * typos,
        function_diffs=sum(1 for w in changed if w in STOPWORDS),
        negation_changed=any(w in NEGATIONS for w in changed),
        cut=elided or outside > 0,
    )


def _allowed_content_diffs(short: _Text) -> int:
    return max(MIN_CONTENT_DIFFS, int(CONTENT_DIFF_RATE * short.n_content))


def _allowed_function_diffs(short: _Text) -> int:
    return max(MIN_FUNCTION_DIFFS, int(FUNCTION_DIFF_RATE * len(short.words)))


def _accepted(al: _Alignment, short: _Text) -> bool:
    if len(short.words) < MIN_WORDS or al.negation_changed:
        return False
    if al.matched_content < MIN_CONTENT_WORDS or al.matched_informative < MIN_INFORMATIVE_WORDS:
        return False
    return (
        al.similarity >= MIN_SIMILARITY
        and al.content_diffs <= _allowed_content_diffs(short)
        and al.function_diffs <= _allowed_function_diffs(short)
    )


def _could_match(short: _Text, long: _Text) -> bool:
    """A cheap necessary condition for `_accepted`, from word sets alone.

    Candidates found through shared keys mostly share topic words only; counting the words the
    long text lacks altogether rejects them before any alignment.
    """
    if len(short.words) < MIN_WORDS or len(long.words) < MIN_WORDS:
        return False
    if short.n_content < MIN_CONTENT_WORDS or short.n_informative < MIN_INFORMATIVE_WORDS:
        return False
    missing = short.content - long.content
    # Function words the long text lacks altogether are differences whatever the alignment.
    if len(short.wordset - long.wordset) - len(missing) > _allowed_function_diffs(short):
        return False
    if not missing:
        return True
    # Each content word the long text lacks costs at least a typo, unless it is half of a
    # compound written as one word on the other side; this rejects most topical candidates
    # before any alignment.
    budget = float(_allowed_content_diffs(short))
    # Even if every word not explained by a compound were a typo: too many?
    compounds = len(missing & long.joins) + 2 * len(short.joins & long.wordset)
    if (len(missing) - compounds) * TYPO_COST > budget:
        return False
    unexplained = missing - long.joins
    if short.joins & long.wordset:
        pairs = (pair for seg in short.segments for pair in itertools.pairwise(seg))
        unexplained -= {w for a, b in pairs if a + b in long.wordset for w in (a, b)}
    for word in unexplained:
        if word in NEGATIONS:
            return False
        budget -= TYPO_COST if _typo_eligible(word) else 1.0
        if budget < 0:
            return False
    return True


def _compare(new: _Text, old: _Text) -> tuple[Relation, float] | None:
    """Relation of `new` to `old` (seen from `new`) and its score, if they are one utterance."""
    if new.plain == old.plain:
        return ("verbatim", 1.0) if len(new.plain) >= MIN_WORDS else None
    if len(new.words) == len(old.words):
        # Same length: neither is the cut; align both ways so the verdict is symmetric.
        forward = _align(new, old) if _could_match(new, old) else None
        backward = _align(old, new) if _could_match(old, new) else None
        ok = [
            al.similarity
            for al, short in ((forward, new), (backward, old))
            if al is not None and _accepted(al, short)
        ]
        return ("reworded", _reworded_score(new, old, max(ok))) if ok else None
    short, long = (new, old) if len(new.words) < len(old.words) else (old, new)
    if not _could_match(short, long):
        return None
    al = _align(short, long)
    if not _accepted(al, short):
        return None
    if not al.cut:
        return "reworded", _reworded_score(short, long, al.similarity)
    return ("excerpt" if short is new else "contains"), al.similarity


def _reworded_score(a: _Text, b: _Text, word_similarity: float) -> float:
    # Word alignment forgives typos and compounds entirely; the letters still differ a little.
    letters = fuzz.ratio(" ".join(a.plain), " ".join(b.plain)) / 100
    return min(word_similarity, letters)


def find_matches(text: str, candidates: Sequence[Candidate]) -> list[Match]:
    """Return every candidate confirmed as the same utterance as `text`, best first."""
    new = _analyse(text)
    found: list[Match] = []
    for cand in candidates:
        result = _compare(new, _analyse(cand.text))
        if result is not None:
            found.append(Match(id=cand.id, relation=result[0], score=round(result[1], 4)))
    found.sort(key=lambda m: (-m.score, _RELATION_ORDER[m.relation], m.id))
    return found


def best_match(text: str, candidates: Sequence[Candidate]) -> Match | None:
    """Return the candidate that `text` is a verbatim, cut, longer or reworded version of."""
    found = find_matches(text, candidates)
    return found[0] if found else None


def lookup_scores(text: str, candidates: Sequence[Candidate]) -> list[tuple[int, float]]:
    """Rank candidates for a free-text lookup, best first, with scores in [0, 1]."""
    query = _analyse(text)
    if not query.words:
        return []
    scored: list[tuple[int, float]] = []
    for cand in candidates:
        stored = _analyse(cand.text)
        confirmed = _compare(query, stored)
        if confirmed is not None:
            scored.append((cand.id, round(confirmed[1], 4)))
            continue
        shared = len(query.content & stored.content)
        if not shared or not query.content:
            continue
        # Unconfirmed: how much of the query's content the quote has, times how well the
        # shorter text's words sit somewhere in the longer one (a cut or light rewording).
        recall = shared / len(query.content)
        placed = fuzz.partial_ratio(query.words, stored.words) / 100
        score = round(LOOKUP_UNCONFIRMED_CAP * recall * placed, 4)
        if score > 0:
            scored.append((cand.id, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


# --- canonical wording ------------------------------------------------------------------------


def canonical_text(wordings: Sequence[Wording]) -> str:
    """Pick the canonical wording: a primary source's first, then the most complete, earliest."""
    if not wordings:
        raise ValueError("a canonical quote needs at least one wording")

    def rank(item: tuple[int, Wording]) -> tuple[bool, int, bool, date, int]:
        index, w = item
        return (
            not w.primary,
            -len(_analyse(w.text).words),
            w.published is None,
            w.published or date.min,
            index,
        )

    return min(enumerate(wordings), key=rank)[1].text
