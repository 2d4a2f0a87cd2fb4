"""What a reviewer reads in a template beyond its connections: who may call each route, whether a target's policy
lets deliveries in, how stream mappings bound failures, what a workflow's Catch chains undo, what counts as
evidence of idempotency, and what links a node to things the diagram does not draw."""

from __future__ import annotations

import datetime as dt

import pytest

from designer.domain.iac import from_template
from designer.domain.validate import validate

TODAY = dt.date(2026, 12, 7)
FN = "{Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x%s}}"


def imported(text):
    return from_template("Transform: AWS::Serverless-2016-10-31\n" + text)


def edge(result, source, kind, target):
    d = result.diagram
    return next(e for e in d.edges if (d.label(e.source), e.kind, d.label(e.target)) == (source, kind, target))


def edges(result):
    d = result.diagram
    return {(d.label(e.source), e.kind, d.label(e.target)) for e in d.edges}


def rules(result):
    return {(f.rule, f.severity) for f in validate(result.diagram, today=TODAY).findings}


def fired(result, rule):
    return [f for f in validate(result.diagram, today=TODAY).findings if f.rule == rule]


# ------------------------------------------------------------------------------------------------ who may call


AUTH_API = f"""
Resources:
  Pool: {{Type: AWS::Cognito::UserPool}}
  Checker: {FN % ""}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {{UserPoolArn: !GetAtt Pool.Arn}}
          Custom: {{FunctionArn: !GetAtt Checker.Arn}}
  Table: {{Type: AWS::Serverless::SimpleTable}}
  Create: {
    FN
    % ''', Environment: {Variables: {T: !Ref Table}}, Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Table}}],
    Events: {Post: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /orders, Method: post}},
             Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /public, Method: post, Auth: {Authorizer: NONE}}},
             Partner: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /partner, Method: put, Auth: {Authorizer: Custom}}}}'''
}
"""


def test_authorizers_are_authorize_edges_not_backends():
    result = imported(AUTH_API)
    assert {("Api", "authorize", "Pool"), ("Api", "authorize", "Checker")} <= edges(result)
    assert ("Api", "route", "Checker") not in edges(result)
    [sync] = [m for m in validate(result.diagram).patterns if m.id == "sync"]
    assert sync.roles["compute"] == [next(n.id for n in result.diagram.nodes if n.label == "Create")]


def test_each_route_says_who_may_call_it():
    result = imported(AUTH_API)
    d = result.diagram
    by_label = {e.label: e.attrs.get("auth") for e in d.edges if e.kind == "route"}
    assert by_label == {"POST /orders": "cognito", "POST /public": "none", "PUT /partner": "lambda"}


def test_a_route_anyone_may_call_that_changes_state_is_reported():
    [finding] = fired(imported(AUTH_API), "open-state-changing-route")
    assert "POST /public" in finding.message
    assert "/orders" not in finding.message


def test_a_function_url_with_no_auth_that_writes_is_reported():
    text = f"""
Resources:
  Table: {{Type: AWS::Serverless::SimpleTable}}
  Hook: {FN % ", FunctionUrlConfig: {AuthType: NONE}, Environment: {Variables: {T: !Ref Table}}, Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]"}
  Private: {FN % ", FunctionUrlConfig: {AuthType: AWS_IAM}, Environment: {Variables: {T: !Ref Table}}, Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]"}
"""
    result = imported(text)
    [finding] = fired(result, "open-state-changing-route")
    assert "'Hook' has a function URL anyone can call" in finding.message
    assert not [f for f in fired(result, "orphan-node") if "starts the flow" in f.message]  # a URL is an entry


# ------------------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    ("policy", "permitted"),
    [
        ("", False),
        ("""  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: sqs:SendMessage, Resource: !GetAtt Jobs.Arn}]}
""", None),
        ("""  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: sqs:SendMessage, Resource: !GetAtt Jobs.Arn}]}
""", False),
    ],
    ids=["no policy", "events allowed", "only sns allowed"],
)  # fmt: skip
def test_a_rule_delivering_to_a_queue_needs_the_queues_policy(policy, permitted):
    text = f"""
Resources:
  Bus: {{Type: AWS::Events::EventBus, Properties: {{Name: shop}}}}
  Jobs: {{Type: AWS::SQS::Queue}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {{source: [shop]}}
      Targets: [{{Id: q, Arn: !GetAtt Jobs.Arn}}]
{policy}"""
    result = imported(text)
    assert edge(result, "Bus", "subscribe", "Jobs").attrs.get("permitted") is permitted
    assert bool(fired(result, "delivery-not-permitted")) == (permitted is False)
    if permitted is False:
        assert ("delivery-not-permitted", "error") in rules(result)


def test_sam_event_sources_grant_their_own_permissions():
    text = f"""
Resources:
  Topic: {{Type: AWS::SNS::Topic}}
  Fn: {FN % ", Events: {T: {Type: SNS, Properties: {Topic: !Ref Topic}}}"}
  Bucket: {{Type: AWS::S3::Bucket}}
  Other: {FN % ', Events: {B: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: "s3:ObjectCreated:*"}}}'}
"""
    assert not fired(imported(text), "delivery-not-permitted")


def test_a_bucket_notifying_a_function_without_a_lambda_permission_cannot_deploy():
    text = f"""
Resources:
  Fn: {FN % ""}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        LambdaConfigurations: [{{Event: "s3:*", Function: !GetAtt Fn.Arn}}]
"""
    result = imported(text)
    trigger = edge(result, "Bucket", "trigger", "Fn")
    assert trigger.attrs["permitted"] is False
    assert trigger.attrs["events"] == ["s3:*"]
    assert {r for r, _ in rules(result)} >= {"delivery-not-permitted", "broad-storage-trigger"}


# ------------------------------------------------------------------------------------------------ streams


@pytest.mark.parametrize(
    ("mapping", "fires"),
    [
        ("{Stream: !GetAtt S.Arn, StartingPosition: LATEST}", True),
        ("{Stream: !GetAtt S.Arn, StartingPosition: LATEST, MaximumRetryAttempts: -1}", True),
        ("{Stream: !GetAtt S.Arn, StartingPosition: LATEST, MaximumRetryAttempts: 3}", False),
        ("{Stream: !GetAtt S.Arn, StartingPosition: LATEST, MaximumRecordAgeInSeconds: 3600}", False),
    ],
)
def test_a_stream_consumer_without_bounded_retries_is_reported(mapping, fires):
    text = f"""
Resources:
  S: {{Type: AWS::Kinesis::Stream, Properties: {{ShardCount: 1}}}}
  Fn: {FN % (", Events: {K: {Type: Kinesis, Properties: " + mapping + "}}")}
"""
    assert bool(fired(imported(text), "stream-failure-unbounded")) is fires


def test_a_filtering_mapping_under_an_unfiltered_subscription_drops_messages():
    text = f"""
Resources:
  Topic: {{Type: AWS::SNS::Topic}}
  Q: {{Type: AWS::SQS::Queue}}
  Sub: {{Type: AWS::SNS::Subscription, Properties: {{TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Q.Arn}}}}
  Fn: {FN % ''', Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn, FilterCriteria: {Filters: [{Pattern: '{"body": {"kind": ["order"]}}'}]}}}}'''}
"""
    result = imported(text)
    assert fired(result, "filter-drops-unmatched")
    assert edge(result, "Topic", "subscribe", "Q").attrs["permitted"] is False  # and no queue policy lets SNS in


def test_two_rules_to_one_target_with_different_patterns_are_one_edge_and_the_same_pattern_twice_is_two():
    def rule(name, detail):
        return f"""  {name}:
    Type: AWS::Events::Rule
    Properties: {{EventPattern: {{detail-type: [{detail}]}}, Targets: [{{Id: f, Arn: !GetAtt Fn.Arn}}]}}
"""

    different = imported(f"Resources:\n  Fn: {FN % ''}\n" + rule("A", "Paid") + rule("B", "Shipped"))
    [one] = [e for e in different.diagram.edges if e.kind == "subscribe"]
    assert one.attrs["filter"] == {"any_of": [{"detail-type": ["Paid"]}, {"detail-type": ["Shipped"]}]}
    assert not fired(different, "duplicate-subscription")
    same = imported(f"Resources:\n  Fn: {FN % ''}\n" + rule("A", "Paid") + rule("B", "Paid"))
    assert len([e for e in same.diagram.edges if e.kind == "subscribe"]) == 2
    assert fired(same, "duplicate-subscription")


# ------------------------------------------------------------------------------------------------ workflows


SAGA = f"""
Resources:
  BookHotel: {FN % ""}
  BookFlight: {FN % ""}
  CancelHotel: {FN % ""}
  CancelFlight: {FN % ""}
  Notify: {{Type: AWS::SNS::Topic}}
  Trip:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: ReserveHotel
        States:
          ReserveHotel:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {{FunctionName: !GetAtt BookHotel.Arn}}
            Catch: [{{ErrorEquals: [States.ALL], Next: CancelHotelBooking}}]
            Next: ReserveFlight
          ReserveFlight:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {{FunctionName: !GetAtt BookFlight.Arn}}
            TimeoutSeconds: 2
            Catch: [{{ErrorEquals: [FlightFull], Next: CancelFlightBooking}}]
            Next: Tell
          Tell:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters: {{TopicArn: !Ref Notify, Message: booked}}
            End: true
          CancelFlightBooking:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {{FunctionName: !GetAtt CancelFlight.Arn}}
            Next: CancelHotelBooking
          CancelHotelBooking:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {{FunctionName: !GetAtt CancelHotel.Arn}}
            Next: Failed
          Failed: {{Type: Fail}}
"""


def test_compensations_are_read_from_the_catch_chains():
    result = imported(SAGA)
    assert edge(result, "Trip", "compensate", "CancelHotel").attrs["undoes"] == "ReserveHotel"
    assert edge(result, "Trip", "compensate", "CancelFlight").attrs["undoes"] == "ReserveFlight"
    [saga] = [m for m in validate(result.diagram).patterns if m.id == "saga"]
    assert saga.complete, saga.missing  # the final notification needs no compensation


def test_a_catch_that_misses_runtime_errors_and_a_short_task_timeout_are_reported():
    result = imported(SAGA)
    assert "FlightFull" in fired(result, "catch-misses-runtime-errors")[0].message
    [timeout] = fired(result, "sfn-task-timeout-below-function")
    assert "gives up after 2 s, but 'BookFlight' may run 3 s" in timeout.message


def test_an_error_handler_is_not_a_compensation():
    text = SAGA.replace("CancelFlightBooking", "LogFlightFailure").replace("CancelHotelBooking", "AlertOps")
    result = imported(text)
    assert not [e for e in result.diagram.edges if e.kind == "compensate"]
    assert edge(result, "Trip", "task", "CancelHotel").attrs["on_error"] is True
    assert "saga" not in {m.id for m in validate(result.diagram).patterns}


def test_a_callback_with_no_timeout_is_reported():
    text = """
Resources:
  Approvals: {Type: AWS::SQS::Queue}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Ask
        States:
          Ask:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
            Parameters: {QueueUrl: !Ref Approvals, MessageBody: {token.$: $$.Task.Token}}
            End: true
"""
    [finding] = fired(imported(text), "callback-without-timeout")
    assert "Step Ask of 'Flow' waits for a task token" in finding.message


def test_a_step_functions_http_task_calls_an_external_api_by_its_host():
    text = """
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Pay
        States:
          Pay:
            Type: Task
            Resource: arn:aws:states:::http:invoke
            Parameters: {ApiEndpoint: "https://api.payments.example/v1/charges", Method: POST, Authentication: {ConnectionArn: x}}
            End: true
"""
    result = imported(text)
    assert ("Flow", "task", "api.payments.example") in edges(result)


# ------------------------------------------------------------------------------------------------ evidence


def test_parameter_defaults_are_read_as_written_values():
    text = f"""
Parameters:
  FunctionTimeout: {{Type: Number, Default: 120}}
Resources:
  Q: {{Type: AWS::SQS::Queue}}
  Fn: {FN % ", Timeout: !Ref FunctionTimeout, Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}"}
"""
    result = imported(text)
    assert next(n for n in result.diagram.nodes if n.label == "Fn").given["timeout_s"] == 120
    assert ("sqs-visibility-below-function-timeout", "error") in rules(result)


@pytest.mark.parametrize(
    ("fn", "advice"),
    [
        (FN % ", Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}", True),
        (FN % ", Environment: {Variables: {POWERTOOLS_IDEMPOTENCY_TABLE: t}}, Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}", False),
        (FN % ", Environment: {Variables: {IDEMPOTENCY_TABLE_NAME: t}}, Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}", False),
    ],
)  # fmt: skip
def test_idempotency_advice_is_given_once_and_only_without_evidence(fn, advice):
    text = f"Resources:\n  Q: {{Type: AWS::SQS::Queue}}\n  Fn: {fn}\n  Other: {fn.replace('!GetAtt Q.Arn', '!GetAtt Q2.Arn')}\n  Q2: {{Type: AWS::SQS::Queue}}\n"
    found = fired(imported(text), "non-idempotent-consumer")
    assert len(found) == (1 if advice else 0)
    if advice:
        assert found[0].severity == "info"
        assert len(found[0].nodes) == 2


def test_a_fifo_source_counts_as_evidence_of_deduplication():
    text = f"Resources:\n  Q: {{Type: AWS::SQS::Queue, Properties: {{FifoQueue: true}}}}\n  Fn: {FN % ', Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}'}\n"
    assert not fired(imported(text), "non-idempotent-consumer")


def test_a_sam_connector_is_a_connection():
    text = """
Resources:
  Table: {Type: AWS::Serverless::SimpleTable}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
    Connectors:
      ToTable: {Properties: {Destination: {Id: Table}, Permissions: [Read, Write]}}
"""
    assert {("Fn", "read", "Table"), ("Fn", "write", "Table")} <= edges(imported(text))


# ------------------------------------------------------------------------------------------------ entries


def test_a_topic_an_alarm_notifies_is_no_orphan():
    text = """
Resources:
  Alerts: {Type: AWS::SNS::Topic}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {MetricName: Errors, Namespace: AWS/Lambda, Statistic: Sum, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanThreshold, AlarmActions: [!Ref Alerts]}
  Other: {Type: AWS::SQS::Queue}
"""
    result = imported(text)
    alerts = next(n for n in result.diagram.nodes if n.label == "Alerts")
    assert "linked-outside" in alerts.tags
    orphans = fired(result, "orphan-node")
    assert [f.nodes for f in orphans] == [(next(n.id for n in result.diagram.nodes if n.label == "Other"),)]


def test_a_custom_resources_function_is_no_orphan():
    text = f"""
Resources:
  Seeder: {FN % ""}
  Seed: {{Type: Custom::Seed, Properties: {{ServiceToken: !GetAtt Seeder.Arn}}}}
  Table: {{Type: AWS::Serverless::SimpleTable}}
"""
    result = imported(text)
    assert [f.message for f in fired(result, "orphan-node")] == ["'Table' is not connected to anything"]


@pytest.mark.parametrize(
    "source",
    [
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n  Fn: %s\n" % (FN % ", Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}"),
        "Resources:\n  B: {Type: AWS::S3::Bucket}\n  Fn: %s\n" % (FN % ", Events: {B: {Type: S3, Properties: {Bucket: !Ref B, Events: 's3:ObjectCreated:*'}}}"),
        "Resources:\n  Fn: %s\n" % (FN % ", Events: {R: {Type: EventBridgeRule, Properties: {Pattern: {source: [x]}}}}"),
        "Resources:\n  Fn: %s\n" % (FN % ", Events: {S: {Type: ScheduleV2, Properties: {ScheduleExpression: 'rate(1 hour)'}}}"),
    ],
    ids=["queue", "bucket", "rule", "schedule"],
)  # fmt: skip
def test_an_event_source_starts_the_flow(source):
    assert not [f for f in fired(imported(source), "orphan-node") if "starts the flow" in f.message]


def test_a_deprecated_runtime_whose_creates_are_refused_is_an_error_and_one_still_creatable_a_warning():
    text = "Resources:\n  Old: {Type: AWS::Lambda::Function, Properties: {Runtime: nodejs14.x}}\n  Aging: {Type: AWS::Lambda::Function, Properties: {Runtime: python3.10}}\n  Soon: {Type: AWS::Lambda::Function, Properties: {Runtime: nodejs22.x}}\n"
    found = {f.message.split(" runs on")[0]: f.severity for f in fired(imported(text), "deprecated-runtime")}
    assert found == {"'Old'": "error", "'Aging'": "warning", "'Soon'": "info"}
