"""Amazon States Language: definitions written from edges, and Task states read back with what they call."""

import pytest

from designer.domain.iac.asl import Step, build
from designer.domain.iac.asl_read import load_definition, tasks


def step(name: str, **kw) -> Step:
    return Step(name=name, resource="arn:aws:states:::lambda:invoke", parameters={"FunctionName": name}, **kw)


def test_steps_run_in_order_and_the_last_ends():
    states = build([step("A"), step("B")], [])["States"]
    assert states["A"]["Next"] == "B"
    assert states["B"]["End"] is True
    assert "Retry" not in states["A"]
    assert "Catch" not in states["A"]


def test_retry_and_catch_only_where_asked():
    states = build([step("A", retry=True), step("B", catch=True)], [])["States"]
    assert states["A"]["Retry"]
    assert "Catch" not in states["A"]
    assert states["B"]["Catch"][0]["Next"] == "Failed"
    assert "Retry" not in states["B"]
    assert states["Failed"]["Type"] == "Fail"


def test_a_catch_runs_the_compensations_of_earlier_steps_latest_first():
    steps = [step(n, catch=True) for n in ("Reserve", "Charge", "Ship", "Notify")]
    undo = [step("Unreserve", undoes="Reserve"), step("Refund", undoes="Charge"), step("Unship", undoes="Ship")]
    states = build(steps, undo)["States"]
    assert [states[n]["Catch"][0]["Next"] for n in ("Reserve", "Charge", "Ship", "Notify")] == [
        "Failed",
        "Unreserve",
        "Refund",
        "Unship",
    ]
    assert [states[n]["Next"] for n in ("Unship", "Refund", "Unreserve")] == ["Refund", "Unreserve", "Failed"]
    assert states["Refund"]["Comment"] == "undoes Charge"


def test_an_empty_machine_succeeds():
    assert build([], []) == {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


def test_a_call_the_template_cannot_make_is_a_pass_state():
    states = build([Step("Pay", "calls Payments", {}, catch=True, pass_only=True)], [])["States"]
    assert states["Pay"] == {"Type": "Pass", "Comment": "calls Payments", "End": True}


def test_written_definitions_read_back_with_the_same_steps_and_undoes():
    steps = [step("A", retry=True), step("B", catch=True), step("C", catch=True)]
    undo = [step("UndoB", undoes="B"), step("UndoA", undoes="A")]
    read = {(t.name, t.retry, t.catch, t.undoes) for t in tasks(build(steps, undo))}
    assert read == {
        ("A", True, False, None),
        ("B", False, True, None),
        ("C", False, True, None),
        ("UndoB", True, False, "B"),
        ("UndoA", True, False, "A"),
    }


def test_compensations_without_comments_are_inferred_from_their_names_and_position():
    definition = {
        "StartAt": "Reserve",
        "States": {
            "Reserve": {"Type": "Task", "Resource": "r", "Next": "Charge"},
            "Charge": {
                "Type": "Task",
                "Resource": "r",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "RefundNothing"}],
                "Next": "Done",
            },
            "RefundNothing": {"Type": "Task", "Resource": "r", "Next": "ReleaseStock"},
            "ReleaseStock": {"Type": "Task", "Resource": "r", "Next": "Alert"},
            "Alert": {"Type": "Task", "Resource": "r", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    undone = {t.name: t.undoes for t in tasks(definition)}
    # Charge's Catch leads to ReleaseStock... only the steps before Charge can be undone: Reserve.
    assert undone == {"Reserve": None, "Charge": None, "RefundNothing": "Reserve", "ReleaseStock": None, "Alert": None}


def test_parallel_branches_and_map_iterators_are_walked():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "x", "End": True}}}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Y", "States": {"Y": {"Type": "Task", "Resource": "y", "End": True}}},
                "End": True,
            },
        },
    }
    assert [t.name for t in tasks(definition)] == ["X", "Y"]


def test_wait_for_task_token_is_read():
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": True}},
    }
    assert next(tasks(definition)).wait_for_callback is True


@pytest.mark.parametrize(
    ("value", "variables"),
    [
        ({"Fn::Sub": '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn.Arn}", "End": true}}}'}, {}),
        (
            {
                "Fn::Sub": [
                    '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${X}", "End": true}}}',
                    {"X": {"Ref": "F"}},
                ]
            },
            {"X": {"Ref": "F"}},
        ),
        (
            {
                "Fn::Join": [
                    "",
                    [
                        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "',
                        {"Fn::GetAtt": ["F", "Arn"]},
                        '", "End": true}}}',
                    ],
                ]
            },
            {"__join1": {"Fn::GetAtt": ["F", "Arn"]}},
        ),
        ('{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn", "End": true}}}', {}),
    ],
    ids=["sub", "sub-with-variables", "join", "json-text"],
)
def test_definition_strings_load_with_their_substitutions(value, variables):
    definition, found = load_definition(value)
    assert definition is not None
    assert definition["StartAt"] == "A"
    assert found == variables


@pytest.mark.parametrize("value", ["not json", {"Fn::Sub": "{"}, 42, None, {"Fn::Join": ["", "x"]}])
def test_unreadable_definitions_give_none(value):
    assert load_definition(value) == (None, {})
