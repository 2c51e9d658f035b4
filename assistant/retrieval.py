"""Dense (faiss), lexical (BM25) and fused retrieval; facts raise the passage holding their evidence."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from assistant.errors import AssistantError
from assistant.index import IndexData
from assistant.settings import RetrievalMode

ROUND = 6
FACT_MIN_COSINE = 0.35  # a fact "matches" a question only with a shared word and this much meaning  # scores are rounded before ties are broken by id, so every CPU ranks alike
_TOKEN_RE = re.compile(r"\w+(?:[-'’.]\w+)*")
_SPLIT_RE = re.compile(r"[-'’.]")
_ALNUM_RE = re.compile(r"^([a-z]+)(\d+)$|^(\d+)([a-z]+)$")
# Stop words are kept tiny: "who"/"when" carry no content, but "not" or "first" can.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it its of on or such that the their then there "
    "these they this to was were will with what which who whom whose when where why how does did do "
    "done can could would should has have had i you me my your we our us please tell about any some "
    "many much there's".split()
)


class Hit(BaseModel):
    """A retrieved corpus passage (never a rendered fact; matching facts ride along in `facts`)."""

    passage_id: str
    section: str
    source: str
    text: str
    score: float = Field(description="the score of the chosen mode (fused for hybrid)")
    dense_score: float
    bm25_score: float
    facts: list[str] = Field(default_factory=list, description="rendered facts whose evidence is here")


class QueryEncoder(Protocol):
    dim: int

    def encode_query(self, text: str) -> np.ndarray: ...


class RetrievalError(AssistantError):
    """A query could not be run against the index (wrong dimension, empty index)."""


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball, fast and deterministic

    return Stemmer.Stemmer("english")


# Irregular past forms the stemmer leaves alone: "built" and "build" are one word to match on. Only
# verbs with one clear meaning: not "took"/"take place", "brought"/"bring together", "led"/"LED".
IRREGULAR = {
    "built": "build",
    "made": "make",
    "wrote": "write",
    "written": "write",
    "began": "begin",
    "begun": "begin",
    "chose": "choose",
    "chosen": "choose",
    "grew": "grow",
    "grown": "grow",
    "bought": "buy",
    "sold": "sell",
    "won": "win",
    "taught": "teach",
    "drove": "drive",
    "driven": "drive",
    "spent": "spend",
    "paid": "pay",
}


def lemmas(words: list[str]) -> list[str]:
    """Words with irregular past forms made regular ("built" -> "build"), ready for the stemmer."""
    return [IRREGULAR.get(w, w) for w in words]


def fold(text: str) -> str:
    """Lowercase and strip accents: 'François' -> 'francois'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[str]:
    """BM25 tokens: folded, stemmed, stop words dropped; 'GPT-3' -> gpt3, gpt, 3; '3000X' -> 3000x, 3000."""
    out: list[str] = []
    for raw in _TOKEN_RE.findall(fold(text)):
        parts = [p for p in _SPLIT_RE.split(raw) if p]
        forms = ["".join(parts)]
        if len(parts) > 1:
            forms += parts
        for form in forms:
            m = _ALNUM_RE.match(form)
            if m:
                forms.append(m.group(2) or m.group(3))
        out.extend(f for f in forms if f not in STOPWORDS)
    return _stemmer().stemWords(lemmas(out)) if out else []


@lru_cache(maxsize=8192)
def token_set(text: str) -> frozenset[str]:
    """tokenize() as a set, cached: sentences, headings and synonym lists recur on every question."""
    return frozenset(tokenize(text))


_BM25S_LOCK = threading.Lock()


def _bm25s() -> Any:
    """bm25s, imported without scipy when scipy is not loaded yet.

    bm25s imports scipy.sparse only if it can (``try: import scipy.sparse``) and works the same with
    its numpy backend, which is always used here (same scores wherever scipy is installed). scipy is
    installed for sentence-transformers, but importing it costs ~24 MB of RSS in every answering
    process for nothing, so it is hidden for the duration of this one import. The first import
    happens while the engine is built, before its threads start; the lock keeps two engines apart.
    """
    import sys

    if "bm25s" in sys.modules:
        return sys.modules["bm25s"]
    with _BM25S_LOCK:
        hide = "scipy" not in sys.modules
        if hide:
            sys.modules["scipy"] = None  # type: ignore[assignment]  # `import scipy.sparse` raises ImportError
        try:
            import bm25s
        finally:
            if hide and sys.modules.get("scipy", 0) is None:
                del sys.modules["scipy"]
    return bm25s


class _Lexical:
    """BM25 over a fixed list of texts (bm25s, numpy backend)."""

    def __init__(self, texts: Sequence[str]) -> None:
        bm25s = _bm25s()

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self.n = len(texts)
        self.model = bm25s.BM25(k1=1.2, b=0.75, csc_backend="numpy") if self.n else None
        if self.model is not None:
            docs = [tokenize(t) or ["\u2205"] for t in texts]
            self.model.index(docs, show_progress=False)
            self.vocab = set(self.model.vocab_dict)

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if self.model is not None and t in self.vocab]
        if not known or self.model is None:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)


def id_order(ids: Sequence[str]) -> np.ndarray:
    """Each item's position among the ids sorted as strings: the tie-breaker of every ranking."""
    position = np.empty(len(ids), dtype=np.int64)
    position[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    return position


def ranking(scores: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Item indices, best first: by score rounded to ROUND decimals, ties by id."""
    return np.lexsort((tie, -np.round(np.asarray(scores, dtype=np.float64), ROUND)))


def _ranks(scores: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """1-based rank of each item (see `ranking`)."""
    ranks = np.empty(len(tie), dtype=np.int64)
    ranks[ranking(scores, tie)] = np.arange(1, len(tie) + 1)
    return ranks


class Retriever:
    """Ranks the passages of one loaded index for a query, in any mode. Safe to share across threads."""

    def __init__(self, data: IndexData, encoder: QueryEncoder, rrf_k: int = 60) -> None:
        self.data = data
        self.encoder = encoder
        self.rrf_k = rrf_k
        self.ids = [p.passage_id for p in data.passages]
        self.tie = id_order(self.ids)
        self.fact_tie = np.arange(len(data.facts))  # facts keep their file order on ties
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.bm25 = _Lexical([p.search_text or p.text for p in data.passages])
        self.fact_bm25 = _Lexical([f.text for f in data.facts])
        self.facts_of: dict[int, list[int]] = {}
        for j, f in enumerate(data.facts):
            self.facts_of.setdefault(self.position[f.passage_id], []).append(j)
        self._faiss_lock = threading.Lock()  # faiss search is thread-safe, but we keep omp threads at 1

    def query_vector(self, text: str) -> np.ndarray:
        return self._checked(np.asarray(self.encoder.encode_query(text), dtype=np.float32).reshape(1, -1))

    def _checked(self, vec: np.ndarray) -> np.ndarray:
        vec = np.asarray(vec, dtype=np.float32).reshape(1, -1)
        if vec.shape[1] != self.data.faiss_index.d:
            raise RetrievalError(
                f"the query encoder gives {vec.shape[1]}-dimensional vectors but the index holds "
                f"{self.data.faiss_index.d}: rebuild the index with the same model (assistant index --rebuild)"
            )
        return vec

    def dense_scores(self, qvec: np.ndarray) -> np.ndarray:
        """Cosine of every passage (exact for Flat; approximate indexes give scores for what they find)."""
        n = len(self.ids)
        out = np.full(n, -1.0, dtype=np.float32)
        k = min(n, max(64, n if n <= 4096 else 256))
        distances, labels = self.data.faiss_index.search(qvec, k)
        for d, i in zip(distances[0], labels[0], strict=True):
            if 0 <= i < n:  # faiss pads with -1 when it finds fewer than k
                out[i] = d
        return out

    def score_all(self, query: str, qvec: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Every passage's dense, BM25 and fused score, plus the fact scores."""
        qvec = self.query_vector(query) if qvec is None else self._checked(qvec)
        tokens = tokenize(query)
        dense = self.dense_scores(qvec)
        lexical = self.bm25.scores(tokens)
        # A passage is also as good as its best sentence: one precise sentence is not drowned by its
        # neighbours. Sentence vectors are computed at index time, so this costs one matrix product.
        sentence = np.full(len(self.ids), -1.0, dtype=np.float32)
        if len(self.data.sentence_vectors):
            np.maximum.at(sentence, self.data.sentence_owner, self.data.sentence_vectors @ qvec[0])
        fused = (
            1.0 / (self.rrf_k + _ranks(dense, self.tie))
            + 1.0 / (self.rrf_k + _ranks(lexical, self.tie))
            + 1.0 / (self.rrf_k + _ranks(sentence, self.tie))
        )
        fact_scores = self.fact_scores(tokens, qvec)
        return {"dense": dense, "bm25": lexical, "hybrid": fused, "facts": fact_scores}

    def fact_scores(self, tokens: list[str], qvec: np.ndarray) -> np.ndarray:
        """Fused rank of each fact; 0 for facts that do not match (no shared word, weak meaning)."""
        n = len(self.data.facts)
        if not n:
            return np.zeros(0, dtype=np.float32)
        dense = self.data.fact_vectors @ qvec[0]
        lexical = self.fact_bm25.scores(tokens)
        fused = 1.0 / (self.rrf_k + _ranks(dense, self.fact_tie)) + 1.0 / (self.rrf_k + _ranks(lexical, self.fact_tie))
        matches = (lexical > 0) & (dense >= FACT_MIN_COSINE)
        return np.where(matches, fused, 0.0)

    def retrieve(
        self,
        query: str,
        k: int = 5,
        mode: RetrievalMode = "hybrid",
        qvec: np.ndarray | None = None,
        boost: dict[int, float] | None = None,
    ) -> list[Hit]:
        """Top-k passages for the query; `boost` adds to the chosen score of given passages."""
        if not self.ids:
            return []
        s = self.score_all(query, qvec)
        chosen = s[mode].astype(np.float64).copy()
        if mode == "hybrid":
            chosen += self._fact_boost(s["facts"])
        for i, b in (boost or {}).items():
            chosen[i] += b
        order = ranking(chosen, self.tie).tolist()
        top = order[: max(0, min(k, len(order)))]
        hits = []
        best_facts = {int(j) for j in np.argsort(-s["facts"], kind="stable")[:5] if s["facts"][j] > 0}
        for i in top:
            p = self.data.passages[i]
            facts = [self.data.facts[j].text for j in self.facts_of.get(i, []) if j in best_facts]
            hits.append(
                Hit(
                    passage_id=p.passage_id,
                    section=p.section,
                    source=p.source,
                    text=p.text,
                    score=round(float(chosen[i]), ROUND),
                    dense_score=round(float(s["dense"][i]), ROUND),
                    bm25_score=round(float(s["bm25"][i]), ROUND),
                    facts=facts,
                )
            )
        return hits

    def _fact_boost(self, fact_scores: np.ndarray) -> np.ndarray:
        """A quarter of the best matching fact's fused score, credited to the passage holding its evidence

        (measured: more, or more facts, pushes better passages out of the top 3 on unseen questions)."""
        boost = np.zeros(len(self.ids), dtype=np.float64)
        if not len(fact_scores):
            return boost
        for j in np.argsort(-fact_scores, kind="stable")[:1]:
            if fact_scores[j] <= 0:
                break
            i = self.position[self.data.facts[int(j)].passage_id]
            boost[i] = max(boost[i], 0.25 * float(fact_scores[j]))
        return boost
