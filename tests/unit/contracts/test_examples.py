"""Every event type and version has one realistic example envelope, and each is exactly what
the platform would publish for its data: it decodes with its model, knows no field the
model does not, and the model writes it back unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nkohub_contracts import IntegrationEvent, decode, load_all_contracts, new_event
from nkohub_contracts.examples import EXAMPLES, example


def example_problems(
    contracts: Mapping[str, type[IntegrationEvent]], examples: Mapping[str, dict[str, Any]]
) -> list[str]:
    """What is wrong between the contracts and their examples; empty when they agree."""
    problems = [f"{t} has no example" for t in contracts if t not in examples]
    problems += [f"the example {t} has no contract" for t in examples if t not in contracts]
    for event_type, envelope in examples.items():
        model = contracts.get(event_type)
        if model is None:
            continue
        try:
            decoded = decode(envelope)
        except Exception as exc:
            problems.append(f"{event_type}: {exc}")
            continue
        if type(decoded.data) is not model:
            problems.append(f"{event_type}: decodes as {type(decoded.data).__name__}")
        if decoded.unknown_fields:
            problems.append(f"{event_type}: fields its model lacks {decoded.unknown_fields}")
        fresh = new_event(decoded.data).model_dump(mode="json")
        for attribute in ("specversion", "source", "type", "subject", "dataschema", "data"):
            if envelope.get(attribute) != fresh[attribute]:
                problems.append(
                    f"{event_type}: {attribute} {envelope.get(attribute)!r}, "
                    f"the platform writes {fresh[attribute]!r}"
                )
    return problems


def test_every_contract_has_an_example_the_platform_would_write_itself():
    contracts = load_all_contracts()
    assert len(contracts) == len(EXAMPLES) >= 27
    assert example_problems(contracts, EXAMPLES) == []
    # every attribute of the envelope is shown, ids are unique
    for envelope in EXAMPLES.values():
        assert set(envelope) == {
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "subject",
            "datacontenttype",
            "dataschema",
            "data",
        }
    assert len({e["id"] for e in EXAMPLES.values()}) == len(EXAMPLES)


def test_a_contract_without_an_example_and_a_wrong_example_are_named():
    class PlantedHappened(IntegrationEvent):
        """Only for this test."""

        type: ClassVar[str] = "events.planted.happened"
        planted_id: str

    contracts = {**load_all_contracts(), PlantedHappened.type: PlantedHappened}
    assert example_problems(contracts, EXAMPLES) == ["events.planted.happened has no example"]

    wrong = {t: example(t) for t in EXAMPLES}
    wrong["events.feedback.received"]["data"]["mood"] = "sunny"
    wrong["events.feedback.received"]["subject"] = "someone-else"
    del wrong["events.question.answered"]["data"]["answer"]
    wrong["registry.person.erased"]["data"]["person_keys"] = "not a list"
    problems = sorted(example_problems(load_all_contracts(), wrong))
    assert len(problems) == 5, problems
    assert problems[0].startswith("events.feedback.received: data {") and "mood" in problems[0]
    assert problems[1] == "events.feedback.received: fields its model lacks ('mood',)"
    assert problems[2].startswith("events.feedback.received: subject 'someone-else', the platf")
    assert problems[3].startswith("events.question.answered: data of events.question.answered")
    assert problems[3].endswith("answer: Field required")
    assert problems[4].endswith("person_keys: Input should be a valid list")


def test_example_gives_a_copy():
    copy = example("events.meetup.scheduled")
    copy["data"]["meetup"]["title"] = "changed"
    assert EXAMPLES["events.meetup.scheduled"]["data"]["meetup"]["title"] != "changed"
