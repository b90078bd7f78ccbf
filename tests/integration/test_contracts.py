"""Every query answers in the shape its contract (cloudblame.core.contracts) declares: exactly the keys
of each TypedDict (no more, none missing but NotRequired ones) and values of the declared types, nested
shapes too; on the sample trail and on real CloudTrail logs. And the contracts give an OpenAPI schema."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from typing_extensions import is_typeddict

from cloudblame.core import contracts
from cloudblame.demo import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame, find_resources
from cloudblame.queries.catalog import catalog_rules, inferred_events
from cloudblame.queries.event import get_event
from cloudblame.queries.events import EventFilter, count_events, event_page, iter_events, stored_span
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people, person
from cloudblame.queries.who import who
from cloudblame.store import Store
from tests.conftest import dataset


def mismatches(value: Any, declared: Any, path: str = "$") -> list[str]:
    """Where ``value`` departs from the type ``declared`` (empty: it conforms)."""
    origin, args = get_origin(declared), get_args(declared)
    if declared is Any:
        return []
    if origin in (Union, types.UnionType):
        found = [mismatches(value, option, path) for option in args]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is Literal:
        return [] if value in args else [f"{path}: {value!r} not one of {args}"]
    if is_typeddict(declared):
        return _typeddict_mismatches(value, declared, path)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        return [m for i, item in enumerate(value) for m in mismatches(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a dict"]
        return [m for k, v in value.items() for m in mismatches(k, args[0], f"{path}.<key>")
                + mismatches(v, args[1], f"{path}.{k}")]
    if declared is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif declared is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif declared is type(None):
        ok = value is None
    else:
        ok = isinstance(value, declared)
    return [] if ok else [f"{path}: {value!r} is not {getattr(declared, '__name__', declared)}"]


def _typeddict_mismatches(value: Any, declared: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {type(value).__name__}, not a {declared.__name__}"]
    hints = get_type_hints(declared)
    problems = [f"{path}: {declared.__name__} lacks {k!r}" for k in declared.__required_keys__ if k not in value]
    problems += [f"{path}: {declared.__name__} has no key {k!r}" for k in value if k not in hints]
    return problems + [m for k, v in value.items() if k in hints for m in mismatches(v, hints[k], f"{path}.{k}")]


def answers(store: Store) -> list[tuple[str, Any, Any]]:
    """(what, answer, its contract) for each query, over what ``store`` holds."""
    out: list[tuple[str, Any, Any]] = []
    ids = [r["resource_id"] for r in store.query("SELECT DISTINCT resource_id FROM event_resources ORDER BY 1")]
    for rid in ids[:: max(1, len(ids) // 40)]:
        if len(find_resources(store, rid)) == 1:
            out.append((f"blame {rid}", blame(store, rid), contracts.Blame))
    page = event_page(store, EventFilter(limit=50))
    out.append(("events", page, contracts.EventsPage))
    out.append(("events, all", list(iter_events(store, EventFilter(limit=300, sort="time_asc"))),
                list[contracts.EventItem]))
    out += [(f"event {e['event_id']}", get_event(store, e["event_id"]), contracts.EventDetail) for e in page["events"]]
    out.append(("count", count_events(store, EventFilter(error=True)), contracts.EventCount))
    out.append(("span", stored_span(store), contracts.TimeSpan))
    for by in (None, "owner", "type"):
        out.append((f"inventory by {by}", inventory(store, by=by, limit=None), contracts.Inventory))
        out.append((f"forgotten by {by}", forgotten(store, idle="1d", by=by, limit=None), contracts.Forgotten))
    out.append(("overview", overview(store), contracts.Overview))
    humans = people(store, services=True)
    out.append(("people", humans, list[contracts.PersonRow]))
    for h in humans[:6]:
        out.append((f"who {h['human']}", who(store, h["human"]), contracts.Who))
        out.append((f"person {h['human']}", person(store, h["human"]), contracts.Person))
    out.append(("catalog", catalog_rules(action="create"), list[contracts.CatalogRule]))
    out.append(("inferred", inferred_events(store), list[contracts.InferredEvent]))
    return out


def _check(store: Store) -> None:
    checked = answers(store)
    assert any(what.startswith("blame") for what, _, _ in checked)
    problems = {what: found[:5] for what, answer, shape in checked if (found := mismatches(answer, shape))}
    assert problems == {}


def test_sample_trail_answers_match_their_contracts(tmp_path: Path) -> None:
    generate_sample_trail(tmp_path / "trail", records=2000)
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(tmp_path / "trail")])
        _check(store)


def test_real_trail_answers_match_their_contracts(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(dataset("stratus-red-team")), str(dataset("traildiscover-logexamples"))])
        _check(store)


def test_the_checker_finds_a_wrong_shape() -> None:
    actor: dict[str, Any] = {"human": "a", "principal": None, "identity_type": None, "session_name": None, "kind": None,
             "confidence": "high", "chain": []}
    assert mismatches(actor, contracts.Actor) == []
    assert mismatches({**actor, "extra": 1}, contracts.Actor) == ["$: Actor has no key 'extra'"]
    assert mismatches({k: v for k, v in actor.items() if k != "kind"}, contracts.Actor) == ["$: Actor lacks 'kind'"]
    assert mismatches({**actor, "chain": [{"principal": 3}]}, contracts.Actor) != []
    assert mismatches({"usd_per_month": 0, "basis": "x"}, contracts.Cost) == []
    assert mismatches({"usd_per_month": True, "basis": "x"}, contracts.Cost) != []


@pytest.mark.parametrize("name", [n for n in dir(contracts) if is_typeddict(getattr(contracts, n))])
def test_contracts_give_a_json_schema(name: str) -> None:
    pydantic = pytest.importorskip("pydantic")
    schema = pydantic.TypeAdapter(getattr(contracts, name)).json_schema()
    assert schema["type"] == "object" and schema["properties"], schema
    assert typing.get_type_hints(getattr(contracts, name))  # every field annotated
