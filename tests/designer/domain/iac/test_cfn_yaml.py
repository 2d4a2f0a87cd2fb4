"""Reading templates safely: short-form tags, located errors, and hostile documents refused in bounded time."""

import time
import tracemalloc

import pytest
import yaml

from designer.domain.diagram import DiagramError
from designer.domain.iac import from_template
from designer.domain.iac.cfn_yaml import (
    MAX_TEMPLATE_CHARS,
    TemplateLoader,
    dump_template,
    load_template,
    read_template,
)

TAGS = """
A: !Ref Queue
B: !GetAtt Queue.Arn
C: !GetAtt [Queue, Arn]
D: !Sub "${AWS::StackName}-x"
E: !If [IsProd, 1, 2]
F: !Join ["", [a, b]]
G: !Select [0, !GetAZs ""]
H: !ImportValue shared
I: !FindInMap [Map, Key, Value]
J: !Equals [a, b]
K: !Not [!Condition IsProd]
L: !And [!Condition A, !Condition B]
M: !Or [!Condition A, !Condition B]
N: !Base64 text
O: !Split [",", "a,b"]
P: !Cidr [10.0.0.0/16, 4, 8]
Q: 2012-10-17
"""


def test_short_form_tags_become_long_forms():
    data = load_template(TAGS)
    assert data["A"] == {"Ref": "Queue"}
    assert data["B"] == data["C"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert data["D"] == {"Fn::Sub": "${AWS::StackName}-x"}
    assert data["E"] == {"Fn::If": ["IsProd", 1, 2]}
    assert data["G"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert data["K"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    assert set(data) >= {"H", "I", "J", "L", "M", "N", "O", "P"}
    assert all(next(iter(data[k])).startswith("Fn::") for k in "FHIJLMNOP")
    assert data["Q"] == "2012-10-17"  # dates stay text, as CloudFormation reads them


def test_the_loader_is_a_safe_loader():
    assert issubclass(TemplateLoader, yaml.SafeLoader | getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    with pytest.raises(DiagramError, match="unknown tag"):
        load_template("a: !!python/object/apply:os.system [echo hi]\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources:\n  A: !Foo x\n", "unknown tag '!Foo' at line 2, column 6"),
        ("Resources:\n  A: [1, 2\n", "at line 3"),
        ('{"Resources": {"A": 1,}}', "not valid JSON"),
        ("", "empty"),
        ("\t- x", "not valid YAML"),
    ],
)
def test_syntax_errors_say_where(text, message):
    with pytest.raises(DiagramError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_template(text)


def test_json_errors_give_line_and_column():
    with pytest.raises(DiagramError, match=r"line 2, column \d+"):
        load_template('{"Resources":\n  {"A": }}')


def _bomb(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    lines.append(f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: *a{levels - 1}")
    return "\n".join(lines)


def test_a_billion_laughs_is_refused_quickly_in_little_memory():
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(DiagramError, match="aliases are expanded"):
        from_template(_bomb(levels=12, width=9))  # 9**12 values once expanded
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20_000_000


def test_a_few_aliases_are_fine():
    text = "Shared: &tags [{Key: team, Value: a}]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: *tags\n"
    assert load_template(text)["Resources"]["Q"]["Properties"]["Tags"] == [{"Key": "team", "Value": "a"}]


def test_an_alias_inside_its_own_value_is_refused():
    with pytest.raises(DiagramError, match="refers to the value that contains it"):
        load_template("a: &a [*a]\n")


@pytest.mark.parametrize(
    "text",
    [
        "Resources: " + "[" * 3000 + "]" * 3000,
        '{"Resources": ' + "[" * 50_000 + "]" * 50_000 + "}",
        "Resources:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)) + "  " * 400 + "v: 1\n",
    ],
    ids=["yaml-flow", "json", "yaml-block"],
)
def test_deep_nesting_is_refused(text):
    with pytest.raises(DiagramError, match="nest"):
        load_template(text)


def test_documents_over_the_size_cap_are_refused_before_parsing():
    started = time.perf_counter()
    with pytest.raises(DiagramError, match="characters"):
        load_template("#" * (MAX_TEMPLATE_CHARS + 1))
    with pytest.raises(DiagramError, match="characters"):
        load_template(b"x" * (5 * MAX_TEMPLATE_CHARS))
    assert time.perf_counter() - started < 1


def test_a_huge_flat_document_is_refused_in_bounded_time():
    text = (
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [" + ",".join(["1"] * 600_000) + "]"
    )
    assert len(text) < MAX_TEMPLATE_CHARS
    started = time.perf_counter()
    with pytest.raises(DiagramError, match="values"):
        load_template(text)
    assert time.perf_counter() - started < 5


def test_bytes_must_be_utf8():
    with pytest.raises(DiagramError, match="UTF-8"):
        load_template(b"Resources: \xff\xfe")
    assert load_template("\ufeffResources: {}".encode()) == {"Resources": {}}


def test_dump_writes_short_forms_that_load_back():
    data = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Env": {"Ref": "Table"},
                    "Url": {"Fn::Sub": "https://${Api}.execute-api"},
                    "Parts": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
                    "Code": "line one\nline two\n",
                    "Version": "2012-10-17",
                    "Flag": "yes",
                },
            }
        }
    }
    text = dump_template(data)
    assert "!GetAtt Role.Arn" in text
    assert "!Ref Table" in text
    assert "!Sub 'https://${Api}.execute-api'" in text or "!Sub https://${Api}.execute-api" in text
    assert "Code: |" in text
    assert load_template(text) == data


@pytest.mark.parametrize("number", ["1" * 5000, "0x" + "f" * 5000, "0" + "7" * 500, "-" + "9" * 101])
def test_an_integer_too_long_to_hold_is_refused_with_its_place(number):
    text = f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: {number}\n"
    with pytest.raises(DiagramError, match=r"a number [\d,]+ characters long \(at most 100\) at line 5, column 21"):
        load_template(text)
    with pytest.raises(DiagramError, match="characters long"):
        from_template(text.encode())


def test_ordinary_integers_still_load():
    assert load_template("A: 900\nB: -1\nC: 0x1F\nD: " + "9" * 100 + "\n") == {
        "A": 900,
        "B": -1,
        "C": 31,
        "D": int("9" * 100),
    }


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("Resources:\n  A: {Type: X}\n  A: {Type: Y}\n", "the key 'A' at line 3, column 3 is written twice"),
        ('{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}', "the key 'A' is written twice in one object"),
    ],
)
def test_a_duplicate_key_keeps_the_last_value_as_cloudformation_does_and_is_reported(text, warning):
    data, warnings = read_template(text)
    assert data == {"Resources": {"A": {"Type": "Y"}}}
    assert [w for w in warnings if warning in w]
    assert "CloudFormation keeps the last value" in warnings[0]
