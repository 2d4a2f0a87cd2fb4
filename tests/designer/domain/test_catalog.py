import re

import pytest

from designer.domain.catalog import CatalogError, build_catalog, load_catalog, read_data

FORMAT_TYPES = [
    "client-web",
    "client-mobile",
    "client-iot",
    "client-partner",
    "cloudfront",
    "cognito",
    "apigw-rest",
    "apigw-http",
    "apigw-websocket",
    "appsync",
    "alb",
    "lambda",
    "fargate",
    "legacy-app",
    "external-api",
    "sqs",
    "sqs-fifo",
    "sns",
    "sns-fifo",
    "eventbridge",
    "eventbridge-scheduler",
    "eventbridge-pipe",  # added to the format's types: Pipes read from templates
    "kinesis",
    "firehose",
    "sfn-standard",
    "sfn-express",
    "dynamodb",
    "s3",
    "rds",
    "aurora-serverless",
    "rds-proxy",
    "elasticache",
    "opensearch",
    "ses",
    "sagemaker",
]
UNIT_SUFFIX = re.compile(r"_(s|ms|mb|kb|gb|h|rps|per_s|usd)$")

catalog = load_catalog()
PARAMS = [(t.id, p) for t in catalog.types.values() for p in t.params.values()]


def test_every_type_of_the_format_is_in_the_catalog():
    assert sorted(catalog.types) == sorted(FORMAT_TYPES)


@pytest.mark.parametrize("type_id", FORMAT_TYPES)
def test_each_type_has_display_data(type_id):
    t = catalog.types[type_id]
    assert t.name
    assert t.icon
    assert t.summary
    assert t.category in {c for c, _ in catalog.categories}


@pytest.mark.parametrize(("type_id", "param"), PARAMS, ids=[f"{t}.{p.name}" for t, p in PARAMS])
def test_each_parameter_has_help_and_a_default_in_range(type_id, param):
    assert param.help, f"{type_id}.{param.name} has no help text"
    if param.default is None:
        return
    if param.type in ("int", "number"):
        assert param.min is not None
        assert param.max is not None
        assert param.min <= param.default <= param.max
    if param.type == "enum":
        assert param.default in param.values


def test_numeric_parameters_with_a_unit_name_it_in_their_suffix():
    for type_id, p in PARAMS:
        if p.unit and p.unit not in ("count", "ratio", "%"):
            assert UNIT_SUFFIX.search(p.name) or p.name.endswith(p.unit), f"{type_id}.{p.name} ({p.unit})"


def test_every_limit_the_rules_read_carries_a_source_url():
    for type_id, key in [
        ("lambda", "max_timeout_s"),
        ("lambda", "account_concurrency"),
        ("lambda", "async_payload_kb"),
        ("sqs-fifo", "high_throughput_per_s"),
        ("eventbridge", "max_event_kb"),
        ("kinesis", "shard_write_records_s"),
        ("sfn-express", "max_duration_s"),
        ("sfn-standard", "inline_map_concurrency"),
    ]:
        assert catalog.limit_source(type_id, key).startswith("https://"), (type_id, key)


def test_current_figures_replace_the_seeds_dated_ones():
    assert catalog.limit("sqs", "max_message_kb") == 1024  # was 256 KB before 2025
    assert catalog.limit("eventbridge", "max_event_kb") == 1024  # was 256 KB before 2026
    assert catalog.limit("lambda", "async_payload_kb") == 1024
    assert catalog.limit("sfn-standard", "distributed_map_concurrency") == 10000  # "unlimited" in the seed
    assert catalog.types["apigw-rest"].params["integration_timeout_s"].max > 29  # raisable since June 2024
    assert catalog.types["apigw-http"].params["integration_timeout_s"].max == 30


def test_connections_give_a_default_kind_first():
    assert catalog.default_kind("sqs", "lambda") == "poll"
    assert catalog.default_kind("lambda", "sqs") == "send"
    assert catalog.allowed_kinds("lambda", "sqs") == ("send", "dead-letter")
    assert catalog.default_kind("sns", "sqs") == "subscribe"
    assert catalog.default_kind("client-web", "apigw-rest") == "request"
    assert catalog.allowed_kinds("sfn-standard", "lambda") == ("task", "compensate")


def test_connections_refuse_pairs_aws_does_not_offer():
    assert catalog.allowed_kinds("sns-fifo", "lambda") == ()
    assert catalog.allowed_kinds("sqs", "sns") == ()
    assert catalog.allowed_kinds("sqs", "sqs-fifo") == ()  # a DLQ has the queue's own type


def test_every_type_can_connect_to_something_or_be_reached():
    reached = {t for (_, t) in catalog.connections}
    for type_id in FORMAT_TYPES:
        assert catalog.targets_of(type_id) or type_id in reached, type_id


def test_a_connection_to_an_unknown_type_is_a_catalog_error():
    wiring = read_data("connections.yaml")
    wiring["connections"] = [
        *wiring["connections"],
        {"from": ["lambda"], "to": ["mainframe"], "kinds": ["invoke-sync"]},
    ]
    with pytest.raises(CatalogError, match="mainframe"):
        build_catalog(read_data("services.yaml"), wiring)
