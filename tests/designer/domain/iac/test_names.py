"""The mapping between node ids and logical ids, both ways."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designer.domain.diagram import ID_RE
from designer.domain.iac.names import Names, logical_id, node_id


@pytest.mark.parametrize(
    ("node", "logical"),
    [
        ("report-jobs-dlq", "ReportJobsDlq"),
        ("n0", "N0"),
        ("web_bff", "WebBff"),
        ("9lives", "Node9lives"),
        ("api", "Api"),
    ],
)
def test_node_ids_become_camel_case_logical_ids(node, logical):
    assert logical_id(node) == logical


@pytest.mark.parametrize(
    ("logical", "node"),
    [
        ("ReportJobsDlq", "report-jobs-dlq"),
        ("SQSLambdaFunction", "sqs-lambda-function"),
        ("ticketAPIGateway", "ticket-api-gateway"),
        ("S3Bucket", "s3-bucket"),
        ("N10", "n10"),
    ],
)
def test_logical_ids_become_kebab_case_node_ids(logical, node):
    assert node_id(logical) == node


@given(st.from_regex(r"[a-z]{2}[a-z0-9]{0,7}(-[a-z]{2}[a-z0-9]{0,7}){0,4}", fullmatch=True))
def test_kebab_ids_of_words_of_two_letters_or_more_survive_the_round_trip(node):
    assert node_id(logical_id(node)) == node


def test_one_letter_words_read_as_an_acronym():
    # "a-b" and "ab" both become "AB": the export's Metadata keeps the exact id for such cases.
    assert node_id(logical_id("a-b")) == "ab"


@given(st.text(min_size=1, max_size=300))
def test_any_text_gives_valid_ids(text):
    assert ID_RE.fullmatch(node_id(text))
    assert logical_id(text).isalnum()
    assert len(logical_id(text)) <= 255


def test_names_add_a_number_on_a_clash_ignoring_case_when_asked():
    names = Names({"Api"}, casefold=True)
    assert names.claim("API") == "API2"
    assert names.claim("API") == "API3"
    assert Names().claim("x") == "x"
