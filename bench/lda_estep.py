"""LDA with the compiled E-step against gensim's own, same corpus, counts and seeds.

Usage::

    python bench/lda_estep.py --corpus bbc --n-topics 20 --seeds 0,1,2
    python bench/lda_estep.py --corpus 20ng --n-topics 12 --seeds 0

Preprocesses the corpus once (the default settings), then fits ``fit_lda`` for each seed
twice in this process: with ``topics.models.estep`` (the default) and with gensim's
``LdaModel.inference`` put back. Prints CPU and wall seconds of each fit and the topic
quality (NPMI, c_v, diversity, NMI vs labels); writes ``bench/out/lda_estep.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from pipeline import export  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["bbc", "20ng"], default="bbc")
    parser.add_argument("--n-topics", type=int, default=20)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "lda_estep.json")
    args = parser.parse_args(argv)

    from topics.evaluate.scores import score_model
    from topics.ingest import IngestSettings, read_folder
    from topics.models import estep
    from topics.models.lda import fit_lda
    from topics.preprocess.tokens import PreprocessSettings, preprocess

    with tempfile.TemporaryDirectory() as tmp:
        export(args.corpus, Path(tmp))
        corpus = read_folder(Path(tmp), IngestSettings())
    pre = preprocess(corpus.documents, PreprocessSettings())
    labels = [corpus.documents[i].label for i in pre.doc_index]
    compiled = estep.CompiledLdaModel.inference
    rows: list[dict[str, Any]] = []
    for seed in map(int, args.seeds.split(",")):
        for label in ("compiled", "gensim"):
            # gensim's method on the same class: only the E-step differs between the rows.
            estep.CompiledLdaModel.inference = (  # type: ignore[method-assign]
                compiled if label == "compiled" else estep.GensimLdaModel.inference
            )
            cpu, wall = time.process_time(), time.perf_counter()
            model = fit_lda(pre.tokens, pre.vocab, n_topics=args.n_topics, seed=seed)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            m = score_model(model, pre.tokens, labels).metrics
            rows.append(
                {"e_step": label, "seed": seed, "cpu_s": round(cpu, 1), "wall_s": round(wall, 1)}
                | {k: m[k] for k in ("npmi", "c_v", "diversity", "nmi")}
            )
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    estep.CompiledLdaModel.inference = compiled  # type: ignore[method-assign]
    print(f"{args.corpus}, K={args.n_topics}")
    head = f"{'E-step':<9} {'seed':>4} {'CPU s':>6} {'wall s':>6}"
    print(f"{head} {'NPMI':>6} {'c_v':>6} {'TD':>6} {'NMI':>6}")
    for r in rows:
        print(
            f"{r['e_step']:<9} {r['seed']:>4} {r['cpu_s']:>6.1f} {r['wall_s']:>6.1f} "
            f"{r['npmi']:>6.3f} {r['c_v']:>6.3f} {r['diversity']:>6.3f} {r['nmi']:>6.3f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"corpus": args.corpus, "n_topics": args.n_topics, "runs": rows}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
