"""engine.memo: the identity memo the sizing searches and API speeds share."""
from dataclasses import dataclass

from engine.memo import by_identity, forget_memos

calls: list = []


@dataclass(frozen=True)
class Record:
    name: str


@by_identity(maxsize=8)
def described(record: Record, tokens) -> str:
    calls.append((record, tokens))
    return f"{record.name}: {tokens:,} tokens"


def test_a_number_keys_by_its_type_so_a_result_that_prints_it_is_never_another_calls():
    r = Record("a")
    assert described(r, 1500.0) == "a: 1,500.0 tokens"
    assert described(r, 1500) == "a: 1,500 tokens"  # equal to 1500.0, but printed differently


def test_records_key_by_identity_and_forgetting_empties_every_memo():
    calls.clear()
    first, twin = Record("b"), Record("b")  # equal values, two objects
    described(first, 1)
    described(first, 1)
    described(twin, 1)
    assert len(calls) == 2  # the repeat was a hit; the twin is another record
    forget_memos()
    described(first, 1)
    assert len(calls) == 3
