"""What trust costs: signing and verifying an event (Ed25519, SM2/SM3), and replay's
re-check of who acted, on the benchmark process of ``bench_engine.py``.

* ``sign``: :func:`approval_rules.signing.sign_details` of one event (the canonical
  message built, signed, hex-encoded) per algorithm;
* ``verify``: :func:`~approval_rules.signing.verify_signature` of that signature;
* ``Case.verify``: the chain and every signature of a case whose every event of a
  person was signed (per event);
* ``replay``: ``Engine.replay`` (chain, fold and the re-check of who acted) against
  ``fold`` alone (per case).

Run::

    python benchmarks/bench_trust.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import ACTIONS, HOUR, START, make_engine

from approval_rules.audit import verify
from approval_rules.engine import Case, fold
from approval_rules.signing import (
    Ed25519Signer,
    Keys,
    Signer,
    Sm2Signer,
    sign_details,
    signing_message,
    verify_signature,
)


def best(run: Callable[[], Any], repeat: int) -> float:
    """µs per call, best of 5 runs of ``repeat`` calls."""
    return min(timeit.Timer(run).repeat(5, repeat)) / repeat * 1e6


def build() -> Case:
    engine = make_engine()
    at = START
    case = engine.submit("bench_permit", {}, {"application_form": "paper"}, at=at,
                         actor="applicant", case_id="trust-1")  # fmt: skip
    for action, actor, details in ACTIONS:
        at += HOUR
        case = engine.act(case, action, at=at, actor=actor, **details)
    return case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="calls per measurement")
    args = parser.parse_args(argv)
    engine = make_engine()
    case = build()
    event = case.events[-1]
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"best of 5 × {args.repeat}; a case of {case.version} events")  # fmt: skip
    signers: list[Signer] = [Ed25519Signer(), Sm2Signer()]
    for signer in signers:
        details = sign_details(event, signer)
        signature = bytes.fromhex(details["signature"])
        message = signing_message(event)
        assert verify_signature(signer.algorithm, signer.public_key, message, signature)
        sign = best(lambda s=signer: sign_details(event, s), args.repeat)
        check = best(
            lambda s=signer, m=message, g=signature: verify_signature(
                s.algorithm, s.public_key, m, g
            ),
            args.repeat,
        )
        # Case.verify over every event, as if each had been signed: the signatures of all
        # events checked once (what store check --keys does per case)
        per_event = check + best(lambda: signing_message(event), args.repeat)
        print(f"{signer.algorithm:>8}: sign {sign:8.1f} µs   verify {check:8.1f} µs   "
              f"Case.verify ≈ {per_event:8.1f} µs per signed event")  # fmt: skip
    keys = Keys([])
    chain = best(lambda: case.verify(keys), args.repeat)
    print(f"Case.verify with no signature to check (the chain alone): {chain:.1f} µs per case")
    replay = best(lambda: engine.replay(case.events, head=case.head), args.repeat)
    folded = best(lambda: (verify(case.events, head=case.head), fold(case.events)), args.repeat)
    print(f"replay (chain + fold + who acted): {replay:.1f} µs per case; "
          f"chain + fold alone: {folded:.1f} µs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
