"""Class cases (类案): a period's appeals grouped by "the same place and the same matter".

A class case is one matter at one place: two appeals are put together only when they say the same
thing (similar wording, the places left out) AND are about the same place. Sharing a place alone
(two different troubles of one community) is never enough; nor is the same wording at another place.

The method, step by step (every figure is a named constant below):
1. Where: the places the text names (``places_in_text.extract_places``: estates, roads, schools,
   companies, stations) and the community (社区) it names, else — when it names a place — the one
   it was filed under (``Message.area``). A text naming no place at all (a personal claim, a policy
   question) is about no place: it groups by wording alone. A longer spelling that ends with a
   shorter place name of the period ("万科X城" and "X城") names that place too.
2. What: character bigrams and trigrams (``zhengshu.appeals.ngrams``, computed for the whole batch
   with numpy: no word segmentation, so 100,000 appeals take seconds) of the title and of the first
   ``BODY_CHARS`` characters of the body, after the place and community names and numbers are blanked
   out — the vectors say what happened, not where. TF-IDF with sublinear term frequency, unit length;
   then n-grams of a single appeal (they link to nothing) are dropped; a title or body left with less
   than ``MIN_SHARED_LENGTH`` of its length shares too little to link; each keeps its ``TITLE_TERMS`` /
   ``BODY_TERMS`` heaviest n-grams, re-normalised.
   Similarity = ``TITLE_SHARE``·cosine of the titles + (1 − ``TITLE_SHARE``)·cosine of the bodies.
3. A similarity graph, computed in row blocks of a sparse product (memory stays bounded):
   - two appeals of different communities never link (a road crosses communities, but the lamp out
     in one and the lamp out in another are two matters);
   - both name places: linked when they name a common place (one's place ends with the other's) and
     the similarity reaches ``LINK_SIMILARITY``; naming only different places never links;
   - otherwise the similarity must reach ``LINK_SIMILARITY_WITHOUT_PLACE``.
4. Class cases are the connected components of that graph, each checked against its centroid: a
   member whose similarity to the centroid is under ``MEMBER_SIMILARITY`` leaves (this stops chains
   A–B–C where A and C have nothing in common). Then against its place: the case's place is the one
   at least half the members name (else their common community); a member naming only other places,
   or filed in another community, leaves. So the place shown always holds for the members.
5. Each class case is described: representative title (the member closest to the centroid), place,
   keywords (the words most members' titles share, from ``zhengshu.text.segment.terms`` — segmenting
   only the members' titles), and scored by ``zhengshu.appeals.hotspot_heat``.

Nothing here knows any data set: no names, no tuned answers.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from zhengshu.appeals.ngrams import feature_text, ngram_keys
from zhengshu.appeals.places_in_text import (
    Place,
    PlaceKind,
    community_key,
    extract_communities,
    extract_places,
)
from zhengshu.text.segment import terms

__all__ = [
    "Clustering",
    "Message",
    "MessageCluster",
    "cluster_messages",
]

BODY_CHARS = 150
SHORTEST_NGRAM, LONGEST_NGRAM = 2, 3
TITLE_SHARE = 0.6
TITLE_TERMS = 24
BODY_TERMS = 48
MIN_DOCUMENTS = 2  # an n-gram of one appeal links it to nothing
MIN_SHARED_LENGTH = 0.4
LINK_SIMILARITY = 0.2
LINK_SIMILARITY_WITHOUT_PLACE = 0.45
MEMBER_SIMILARITY = 0.25
TITLE_PLACE_WEIGHT = 3
MAIN_PLACE_SHARE = 0.6
MIN_PLACE_TAIL_CHARS = 3
KEYWORD_TITLES = 40
KEYWORDS = 8
BLOCK_ROWS = 2000
PARALLEL_FROM = 5000
CHUNK = 2500
# Street and community names say where, not what: blanked out of the wording like the places.
_AREA_WORDS = re.compile(r"[\u4e00-\u9fff]{2,4}(?:街道|社区)|[A-Za-z0-9]+[市区县]")


@dataclass(frozen=True)
class Message:
    """One appeal or message as the clustering sees it. ``appellant`` is an opaque key (an account
    id, a hashed phone); ``likes`` is None where the channel has no likes; ``severe`` marks an urgent
    appeal or one about a danger to people; ``area`` is the community it was filed under, if known."""

    id: str
    title: str
    body: str
    created_at: datetime
    appellant: str
    likes: int | None = None
    severe: bool = False
    area: str | None = None


@dataclass
class MessageCluster:
    """A group of messages about one matter, before scoring: indexes into the input."""

    members: list[int]
    place: Place | None
    keywords: list[str]
    representative: int
    cohesion: float  # mean similarity of the members to the centroid


@dataclass
class Clustering:
    clusters: list[MessageCluster]
    seconds: dict[str, float] = field(default_factory=dict)
    places: list[list[Place]] = field(default_factory=list)


# --- step 1: where, and the wording without it ----------------------------------------------------


@dataclass(frozen=True)
class _Read:
    places: list[Place]  # specific places named (estates, roads …)
    title_keys: frozenset[str]  # keys of those named in the title
    community: str | None  # community key: named in the text, else filed under
    title: str  # wording, places blanked ("\0" separates)
    body: str


def _blank(text: str, names: list[str]) -> str:
    text = feature_text(text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(feature_text(name), "\0")
    return _AREA_WORDS.sub("\0", text)


def _read(item: tuple[str, str, str | None]) -> _Read:
    title, body, area = item
    in_title = extract_places(title)
    places = list({p.key: p for p in reversed(in_title + extract_places(body))}.values())[::-1]
    communities = extract_communities(title) or extract_communities(body)
    # The community filed under places a matter that names a place ("X花园的电梯"); a question that
    # names none (a personal claim, a policy) is about no place, wherever the appellant lives.
    filed = community_key(area) if area and places else None
    community = community_key(communities[0].name) if communities else filed
    names = [name for p in in_title + places + communities for name in (p.name, p.key)]
    return _Read(
        places, frozenset(p.key for p in in_title), community, _blank(title, names), _blank(body, names)
    )


def _read_chunk(items: list[tuple[str, str, str | None]]) -> tuple[list[_Read], float]:
    """The chunk read, and the CPU seconds it took (in whichever process ran it)."""
    started = time.process_time()
    return [_read(item) for item in items], time.process_time() - started


def _read_all(messages: Sequence[Message], workers: int) -> tuple[list[_Read], float]:
    """Reads every message, on large inputs in ``workers`` processes; and the CPU seconds spent in
    worker processes (0 when read here)."""
    items = [(m.title.strip(), m.body.strip()[:BODY_CHARS], m.area) for m in messages]
    if workers > 1 and len(items) >= PARALLEL_FROM:
        from joblib import Parallel, delayed

        chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
        parts = Parallel(n_jobs=workers)(delayed(_read_chunk)(chunk) for chunk in chunks)
        return [item for part, _ in parts for item in part], sum(cpu for _, cpu in parts)
    return _read_chunk(items)[0], 0.0


def _known_tails(places: list[list[Place]]) -> dict[str, list[str]]:
    """Place key → itself and every shorter key of the period it ends with: "万科X城" names "X城" too."""
    keys = {place.key for found in places for place in found}
    return {
        key: [key[start:] for start in range(len(key) - MIN_PLACE_TAIL_CHARS + 1) if key[start:] in keys]
        for key in keys
    }


# --- step 2: vectors -------------------------------------------------------------------------------


def _tfidf(texts: Sequence[str], keep: int) -> sparse.csr_matrix:
    """Sublinear TF-IDF of the texts' character n-grams: n-grams of one text dropped, each row's
    ``keep`` heaviest kept, rows L2-normalised."""
    keys, owners = ngram_keys(texts, SHORTEST_NGRAM, LONGEST_NGRAM)
    n = len(texts)
    if len(keys) == 0:
        return sparse.csr_matrix((n, 1), dtype=np.float32)
    columns = np.unique(keys, return_inverse=True)[1].ravel()
    counts = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), (owners, columns)), shape=(n, int(columns.max()) + 1)
    )
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    weights = normalize(counts)  # every n-gram counts in the length: a text of rare words is no short text
    weights.data[df[weights.indices] < MIN_DOCUMENTS] = 0
    weights.eliminate_zeros()
    shared_length = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    pruned = normalize(_top_per_row(weights, keep))
    # A text whose wording is nearly all its own ("电梯又坏了" among lamp complaints: only "坏了" shared)
    # has too little in common with any other to be linked on what little it shares.
    return sparse.diags((shared_length >= MIN_SHARED_LENGTH).astype(np.float32)) @ pruned


def _top_per_row(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    # One float sort instead of a lexsort: the weights lie in (0, 1] (unit rows), so "row, then
    # heaviest first" is the order of row + (1 − weight)/2, and a float argsort is several times faster.
    order = np.argsort(rows + (1.0 - matrix.data.astype(np.float64)) / 2)
    rank_in_row = np.arange(len(order)) - matrix.indptr[rows[order]]
    kept = order[rank_in_row < keep]
    return sparse.csr_matrix((matrix.data[kept], (rows[kept], matrix.indices[kept])), shape=matrix.shape)


def _vectors(read: list[_Read]) -> sparse.csr_matrix:
    """Unit rows whose dot product is TITLE_SHARE·cos(titles) + (1 − TITLE_SHARE)·cos(bodies)."""
    titles = _tfidf([r.title for r in read], TITLE_TERMS) * np.float32(np.sqrt(TITLE_SHARE))
    bodies = _tfidf([r.body for r in read], BODY_TERMS) * np.float32(np.sqrt(1 - TITLE_SHARE))
    return sparse.hstack([titles, bodies], format="csr", dtype=np.float32)


# --- step 3: the similarity graph -----------------------------------------------------------------


def _place_matrices(
    places: list[list[Place]], tails: dict[str, list[str]]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Two 0/1 matrices appeal × place: the places named, and those plus the shorter names they
    contain. Two appeals name compatible places when one's place ends with the other's."""
    vocabulary: dict[str, int] = {}
    own: tuple[list[int], list[int]] = ([], [])
    with_tails: tuple[list[int], list[int]] = ([], [])
    for row, found in enumerate(places):
        keys = {p.key for p in found}
        for key in keys:
            own[0].append(row)
            own[1].append(vocabulary.setdefault(key, len(vocabulary)))
        for tail in {tail for key in keys for tail in tails[key]}:
            with_tails[0].append(row)
            with_tails[1].append(vocabulary.setdefault(tail, len(vocabulary)))
    shape = (len(places), max(len(vocabulary), 1))

    def matrix(pairs: tuple[list[int], list[int]]) -> sparse.csr_matrix:
        return sparse.csr_matrix((np.ones(len(pairs[0]), dtype=np.float32), pairs), shape=shape)

    return matrix(own), matrix(with_tails)


def _similarity_graph(
    vectors: sparse.csr_matrix,
    own: sparse.csr_matrix,
    with_tails: sparse.csr_matrix,
    communities: np.ndarray,
    workers: int = 1,
) -> sparse.csr_matrix:
    n = vectors.shape[0]
    has_place = np.diff(own.indptr) > 0
    vectors_t, own_t, tails_t = vectors.T.tocsr(), own.T.tocsr(), with_tails.T.tocsr()

    def links(start: int) -> tuple[np.ndarray, np.ndarray]:
        stop = min(start + BLOCK_ROWS, n)
        sims = (vectors[start:stop] @ vectors_t).tocoo()
        keep = sims.data >= LINK_SIMILARITY
        rows, cols, values = sims.row[keep] + start, sims.col[keep], sims.data[keep]
        keep = rows < cols  # each pair once
        rows, cols, values = rows[keep], cols[keep], values[keep]
        both_placed = has_place[rows] & has_place[cols]
        compatible = np.zeros(len(rows), dtype=bool)
        if both_placed.any():
            shared = (with_tails[start:stop] @ own_t + own[start:stop] @ tails_t).tocsr()
            shared.data[:] = 1
            pairs = np.flatnonzero(both_placed)
            compatible[pairs] = np.asarray(shared[rows[pairs] - start, cols[pairs]]).ravel() > 0
        a, b = communities[rows], communities[cols]
        other_community = (a >= 0) & (b >= 0) & (a != b)
        loose = ~both_placed & ~other_community & (values >= LINK_SIMILARITY_WITHOUT_PLACE)
        linked = (compatible & ~other_community) | loose
        return rows[linked], cols[linked]

    # scipy's sparse products and numpy's array work release the GIL: threads share the blocks.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        found = list(pool.map(links, range(0, n, BLOCK_ROWS)))
    rows = np.concatenate([np.zeros(0, dtype=np.int64), *(r for r, _ in found)])
    cols = np.concatenate([np.zeros(0, dtype=np.int64), *(c for _, c in found)])
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))


# --- step 4: components, checked against their centroid and their place -----------------------------


def _cosines_to_centroid(block: sparse.csr_matrix) -> np.ndarray:
    centroid = np.asarray(block.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid)) or 1.0
    return np.asarray(block @ (centroid / norm)).ravel()


def _close_to_centroid(members: np.ndarray, vectors: sparse.csr_matrix) -> np.ndarray:
    cosines = _cosines_to_centroid(vectors[members])
    return members[cosines >= MEMBER_SIMILARITY]


def _main_place(members: Sequence[int] | np.ndarray, read: list[_Read]) -> Place | None:
    """The place the members name most. A mention in a title counts ``TITLE_PLACE_WEIGHT`` times, and
    a mention of "万科X城" counts for "X城" too; of the places within ``MAIN_PLACE_SHARE`` of the best,
    the most specific (longest) is shown. None when under half of the members name it."""
    votes: Counter[str] = Counter()
    named: dict[str, Place] = {}
    members_naming: dict[str, set[int]] = {}
    for member in members:
        for place in read[member].places:
            named.setdefault(place.key, place)
            weight = TITLE_PLACE_WEIGHT if place.key in read[member].title_keys else 1
            for key in named:
                if place.key.endswith(key):
                    votes[key] += weight
                    members_naming.setdefault(key, set()).add(member)
    if not votes:
        return None
    best = max(votes.values())
    key = max((k for k in votes if votes[k] >= MAIN_PLACE_SHARE * best), key=lambda k: (len(k), votes[k]))
    return named[key] if len(members_naming[key]) * 2 >= len(members) else None


def _names(place_key: str, member: _Read) -> bool:
    return any(p.key.endswith(place_key) or place_key.endswith(p.key) for p in member.places)


def _main_community(members: Sequence[int] | np.ndarray, read: list[_Read]) -> str | None:
    known = Counter(read[m].community for m in members if read[m].community)
    if not known:
        return None
    community, count = known.most_common(1)[0]
    return community if count * 2 >= len(members) else None


def _consistent(members: np.ndarray, read: list[_Read]) -> tuple[list[int], Place | None]:
    """The members that agree with the case's place, and that place (see the module doc, step 4)."""
    place = _main_place(members, read)
    if place is not None:
        naming = [m for m in members if _names(place.key, read[m])]
        community = _main_community(naming, read)
        kept = [
            m
            for m in members
            if _names(place.key, read[m])
            or (not read[m].places and (read[m].community is None or read[m].community == community))
        ]
        return kept, place
    community = _main_community(members, read)
    kept = [
        m
        for m in members
        if not read[m].places and (community is None or read[m].community in (None, community))
    ]
    if community is not None:
        return kept, Place(community + "社区", PlaceKind.COMMUNITY)
    return kept, None


# --- step 5: description ----------------------------------------------------------------------------


def _keywords(members: Sequence[int], messages: Sequence[Message], place: Place | None) -> list[str]:
    """The words most members' titles share (document frequency), places left out."""
    counts: Counter[str] = Counter()  # insertion order breaks ties: the closest members' words first
    for member in members[:KEYWORD_TITLES]:
        counts.update(dict.fromkeys(terms(messages[member].title), 1))
    skip = place.name if place else ""
    words = [w for w, c in counts.most_common() if len(w) >= 2 and w not in skip and not w.isdigit()]
    return words[:KEYWORDS]


def _describe(
    members: list[int], vectors: sparse.csr_matrix, messages: Sequence[Message], place: Place | None
) -> MessageCluster:
    cosines = _cosines_to_centroid(vectors[members])
    by_closeness = [members[i] for i in np.argsort(-cosines, kind="stable")]
    keywords = _keywords(by_closeness, messages, place)
    return MessageCluster(members, place, keywords, by_closeness[0], float(cosines.mean()))


def cluster_messages(messages: Sequence[Message], *, min_size: int = 2, workers: int = 1) -> Clustering:
    """Groups the messages into class cases of at least ``min_size`` members (see the module doc)."""
    with threadpool_limits(1):  # tiny BLAS calls: threads only spin against each other
        return _cluster(messages, min_size, workers)


def _cluster(messages: Sequence[Message], min_size: int, workers: int) -> Clustering:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    read, worker_cpu = _read_all(messages, workers)
    places = [r.places for r in read]
    seconds["read"] = time.perf_counter() - started
    seconds["read_worker_cpu"] = worker_cpu
    if not messages:
        return Clustering([], seconds, [])

    started = time.perf_counter()
    vectors = _vectors(read)
    seconds["vectorise"] = time.perf_counter() - started

    started = time.perf_counter()
    community_codes: dict[str, int] = {}
    communities = np.array(
        [community_codes.setdefault(r.community, len(community_codes)) if r.community else -1 for r in read],
        dtype=np.int64,
    )
    graph = _similarity_graph(
        vectors, *_place_matrices(places, _known_tails(places)), communities, workers
    )
    labels = connected_components(graph, directed=False)[1]
    seconds["graph"] = time.perf_counter() - started

    started = time.perf_counter()
    clusters = []
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for component in np.split(order, bounds):
        if len(component) < min_size:
            continue
        members, place = _consistent(_close_to_centroid(component, vectors), read)
        if len(members) >= min_size:
            clusters.append(_describe(sorted(members), vectors, messages, place))
    seconds["describe"] = time.perf_counter() - started
    return Clustering(clusters, seconds, places)
