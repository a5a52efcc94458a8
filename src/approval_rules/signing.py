"""Signed events (CA 认证): a signer port, Ed25519 and SM2/SM3 signers, people's keys.

A keyless hash chain (:mod:`.audit`) shows any change to a record, but someone who
can write where the record is kept can rewrite it *and* recompute every hash.  A
signature made with a key only its holder has cannot be recomputed: an event signed by
its actor proves that this person took this action, at this time, with these details.

* The **message** an actor signs is the event's canonical form: a fixed prefix, the
  hash of the event before and the event's canonical body (:func:`signing_message`).
* The **signature** is recorded as an event of its own, ``sign`` (details ``seq``,
  ``algorithm``, ``signature`` in hex), appended by the same person right after the
  event it signs (:meth:`~.engine.Engine.act`).  Being in the chain, a signature cannot
  be removed or moved without breaking it.
* A step of a matter may declare ``signed: true``: every action on it (``pass``,
  ``send_back``, ``refuse``) is then recorded with ``"signed": true`` in its details,
  and the record is complete only once that event is signed.
* **People's public keys** are data: a YAML file of ``kind: keys`` (:func:`load_keys`),
  published as ``schemas/keys.schema.json``.  :meth:`~.engine.Case.verify` and
  ``approval-rules store check URL --keys F`` report every event whose signature fails,
  or is missing where the matter requires one.

Two algorithms: ``ed25519`` (RFC 8032, through ``cryptography``) and ``sm2`` (GB/T
32918 with SM3, the national standard Chinese CAs issue certificates for, through
``gmssl-pyx``, a binding of GmSSL 3; signer id ``1234567812345678``, the default of GM/T
0009).  Both come with the ``signing`` extra: ``pip install 'approval_rules[signing]'``.

This module imports :mod:`.audit`, :mod:`.errors`, :mod:`._yaml`, :mod:`.loader` and
:mod:`.model` (the id type); the crypto libraries only when a key is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from ._yaml import parse_yaml, read_yaml_file
from .audit import Event
from .errors import DefinitionError, Issue
from .model import Id
from .validation import validate_document

__all__ = [
    "ALGORITHMS",
    "Ed25519Signer",
    "Keys",
    "KeysFile",
    "PublicKey",
    "SignatureProblem",
    "Signer",
    "Sm2Signer",
    "load_keys",
    "load_keys_text",
    "sign_details",
    "signature_problems",
    "signing_message",
    "verify_signature",
]

#: The signature algorithms, by the name events and key files use.
ALGORITHMS: Final = ("ed25519", "sm2")
Algorithm = Literal["ed25519", "sm2"]

#: Domain separation: a signature over an event is never valid for anything else.
_PREFIX: Final = b"approval-rules/event-signature@1\n"
#: GM/T 0009's default signer id (what CAs and GmSSL use unless told otherwise).
SM2_SIGNER_ID: Final = b"1234567812345678"
_MISSING_EXTRA: Final = "install the signing extra: pip install 'approval_rules[signing]'"


def signing_message(event: Event) -> bytes:
    """What the actor of ``event`` signs: a prefix, the previous hash, the canonical body.

    The body is recomputed from the event's fields (as :func:`~.audit.verify` does),
    so it is the same bytes whoever computes it.
    """
    return _PREFIX + event.prev_hash.encode() + b"\n" + event.canonical_body().encode("utf-8")


class Signer(Protocol):
    """Whatever signs for a person: a key in memory, a USB key, a CA's signing server.

    ``algorithm`` is one of :data:`ALGORITHMS`; ``public_key`` the raw public key the
    people's key file declares (hex in the file); ``sign`` returns the signature bytes.
    """

    @property
    def algorithm(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Ed25519Signer:
    """An Ed25519 key pair held in memory (``cryptography``).

    Args:
        private_key: the 32-byte raw private key; ``None`` makes a new one.
    """

    algorithm: Final = "ed25519"

    def __init__(self, private_key: bytes | None = None) -> None:
        try:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        except ImportError as err:  # pragma: no cover - the extra is in dev
            raise ImportError(f"Ed25519 needs cryptography: {_MISSING_EXTRA}") from err
        if private_key is None:
            self._key = Ed25519PrivateKey.generate()
        else:
            self._key = Ed25519PrivateKey.from_private_bytes(private_key)
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key(self) -> bytes:
        """The 32-byte raw public key."""
        return self._public

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)


class Sm2Signer:
    """An SM2 key pair held in memory; signs with SM3 (``gmssl-pyx``, GmSSL 3).

    Args:
        private_key: the 32-byte private key; ``None`` makes a new pair.
        public_key: its 64-byte public key (x ‖ y); needed with ``private_key``.
    """

    algorithm: Final = "sm2"

    def __init__(self, private_key: bytes | None = None, public_key: bytes | None = None) -> None:
        gmssl = _gmssl()
        if private_key is None:
            public_key, private_key = gmssl.sm2_key_generate()
        elif public_key is None:
            raise TypeError("an SM2 private key needs its public key (64 bytes)")
        self._private = private_key
        self._public: bytes = public_key

    @property
    def public_key(self) -> bytes:
        """The 64-byte public key (x ‖ y, without the 04 prefix)."""
        return self._public

    def sign(self, message: bytes) -> bytes:
        """The DER-encoded SM2 signature of ``message`` (SM3 with the signer id's Z)."""
        signature: bytes = _gmssl().sm2_sign(self._private, self._public, message, SM2_SIGNER_ID)
        return signature


def _gmssl() -> Any:
    try:
        import gmssl_pyx
    except ImportError as err:  # pragma: no cover - the extra is in dev
        raise ImportError(f"SM2 needs gmssl-pyx: {_MISSING_EXTRA}") from err
    return gmssl_pyx


def verify_signature(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``message``.

    A malformed key or signature is ``False``, never an exception.
    """
    if algorithm == "ed25519":
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    if algorithm == "sm2":
        gmssl = _gmssl()
        if len(public_key) != 64:
            return False
        try:
            return bool(gmssl.sm2_verify(public_key, message, signature, SM2_SIGNER_ID))
        except (gmssl.GmsslInnerError, gmssl.InvalidValueError, ValueError):
            return False
    return False


def sign_details(event: Event, signer: Signer) -> dict[str, Any]:
    """The details of the ``sign`` action that signs ``event`` with ``signer``.

    ``engine.act(case, "sign", at=…, actor=event.actor, **sign_details(event, signer))``.
    """
    signature = signer.sign(signing_message(event))
    return {"seq": event.seq, "algorithm": signer.algorithm, "signature": signature.hex()}


# --------------------------------------------------------------------------- keys as data


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PublicKey(_Model):
    """One public key of one person."""

    person: Id = Field(description="The person's id, as in the catalogue's people.")
    algorithm: Algorithm = Field(description="ed25519 or sm2 (SM2 with SM3).")
    public_key: StrictStr = Field(
        pattern=r"^(?:[0-9a-f]{64}|[0-9a-f]{128})$",
        description="The raw public key in lower-case hex: 32 bytes for ed25519, 64 bytes "
        "(x ‖ y) for sm2.",
    )
    note: StrictStr | None = Field(
        default=None, max_length=200, description="e.g. the CA certificate's serial number."
    )

    @property
    def raw(self) -> bytes:
        return bytes.fromhex(self.public_key)


class KeysFile(_Model):
    """People's public keys (``kind: keys``), with which signed events are verified."""

    kind: Literal["keys"] = Field(description="Always 'keys' for this file.")
    keys: tuple[PublicKey, ...] = Field(max_length=100_000)


class Keys(Mapping[str, tuple[PublicKey, ...]]):
    """Person id → their public keys (a person may hold several, e.g. old and new)."""

    def __init__(self, keys: Iterable[PublicKey]) -> None:
        by_person: dict[str, list[PublicKey]] = {}
        for key in keys:
            by_person.setdefault(key.person, []).append(key)
        self._keys = {person: tuple(found) for person, found in by_person.items()}

    @classmethod
    def of_signers(cls, signers: Mapping[str, Signer]) -> Keys:
        """The public keys of ``person → signer`` (for tests and for a host's own keys)."""
        return cls(
            PublicKey(person=p, algorithm=s.algorithm, public_key=s.public_key.hex())
            for p, s in signers.items()
        )

    def __getitem__(self, person: str) -> tuple[PublicKey, ...]:
        return self._keys[person]

    def __iter__(self) -> Any:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def problems(self, events: Sequence[Event]) -> list[SignatureProblem]:
        """:func:`signature_problems` of ``events`` with these keys."""
        return signature_problems(events, self)


def load_keys(path: str | os.PathLike[str]) -> Keys:
    """Read a ``kind: keys`` file.

    Raises:
        DefinitionError: the file is unreadable or wrong (issues with positions).
    """
    doc, issues = read_yaml_file(path)
    return _keys_from(doc, issues)


def load_keys_text(text: str, file: str = "<keys>") -> Keys:
    """:func:`load_keys` of YAML text."""
    doc, issues = parse_yaml(text, file)
    return _keys_from(doc, issues)


def _keys_from(doc: Any, issues: list[Issue]) -> Keys:
    if doc is not None and not [i for i in issues if i.is_error]:
        model, more = validate_document(KeysFile, doc)
        issues = [*issues, *more]
        if model is not None and not [i for i in issues if i.is_error]:
            assert isinstance(model, KeysFile)
            return Keys(model.keys)
    raise DefinitionError(issues)


# --------------------------------------------------------------------------- verification


class SignatureProblem(NamedTuple):
    """An event whose signature fails, or is missing where the matter requires one.

    ``code``: ``missing`` (a ``signed`` event nobody signed), ``bad-signature`` (the
    signature does not verify with any of the signer's keys, or signs an event of
    someone else), ``no-key`` (the actor has no key of that algorithm).
    """

    seq: int
    actor: str
    code: str
    message: str


def signature_problems(
    events: Sequence[Event], keys: Mapping[str, Sequence[PublicKey]]
) -> list[SignatureProblem]:
    """Every event of a (verified) log whose signature fails or is missing, by ``seq``."""
    problems: list[SignatureProblem] = []
    signed: set[int] = set()
    for event in events:
        if event.action != "sign":
            continue
        found = _signature_problem(events, event, keys)
        if found is None:
            signed.add(event.details["seq"])
        else:
            problems.append(found)
    for event in events:
        if event.details.get("signed") is True and event.seq not in signed:
            message = f"{event.action} by {event.actor} must be signed and is not"
            problems.append(SignatureProblem(event.seq, event.actor, "missing", message))
    return sorted(problems)


def _signature_problem(
    events: Sequence[Event], sign: Event, keys: Mapping[str, Sequence[PublicKey]]
) -> SignatureProblem | None:
    """What is wrong with the ``sign`` event ``sign`` (``None``: it verifies)."""
    details = sign.details
    seq, algorithm, text = details.get("seq"), details.get("algorithm"), details.get("signature")
    if type(seq) is not int or not 1 <= seq < sign.seq:
        return SignatureProblem(sign.seq, sign.actor, "bad-signature", f"signs no event ({seq!r})")
    target = events[seq - 1]
    if target.actor != sign.actor:
        message = f"signed by {sign.actor}, not by its actor"
        return SignatureProblem(seq, target.actor, "bad-signature", message)
    owned = [k for k in keys.get(sign.actor, ()) if k.algorithm == algorithm]
    if not owned:
        return SignatureProblem(seq, target.actor, "no-key", f"{sign.actor} has no {algorithm} key")
    try:
        raw = bytes.fromhex(text) if isinstance(text, str) else b""
    except ValueError:
        raw = b""
    message_bytes = signing_message(target)
    if not any(verify_signature(k.algorithm, k.raw, message_bytes, raw) for k in owned):
        message = f"the {algorithm} signature by {sign.actor} does not verify"
        return SignatureProblem(seq, target.actor, "bad-signature", message)
    return None
