"""Importing templates: each way a template says "this connects to that", written as small templates here."""

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.domain.diagram import DiagramError, parse
from designer.domain.iac import ImportResult, from_template, looks_like_template
from designer.domain.iac.cfn_yaml import dump_template
from designer.domain.validate import validate
from tests.designer.domain.strategies import json_values


def imported(text: str) -> ImportResult:
    return from_template(text)


def edges(result: ImportResult) -> set[tuple[str, str, str]]:
    d = result.diagram
    return {(d.label(e.source), e.kind, d.label(e.target)) for e in result.diagram.edges}


def node(result: ImportResult, label: str):
    return next(n for n in result.diagram.nodes if n.label == label)


def edge(result: ImportResult, source: str, kind: str, target: str):
    d = result.diagram
    return next(e for e in d.edges if (d.label(e.source), e.kind, d.label(e.target)) == (source, kind, target))


def notes_for(result: ImportResult, resource: str) -> list[str]:
    return [n.note for n in result.notes if n.resource == resource]


FN = "Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      CodeUri: src/\n"

GLOBALS = f"""
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 20
    MemorySize: 512
    Architectures: [arm64]
Resources:
  GetOrder:
    {FN}      Timeout: 5
      Events:
        Get: {{Type: Api, Properties: {{Path: "/orders/{{id}}", Method: get}}}}
        Create: {{Type: HttpApi, Properties: {{Path: /orders, Method: post}}}}
  ListOrders:
    {FN}      Events:
        List: {{Type: Api, Properties: {{Path: /orders, Method: get}}}}
"""


def test_globals_apply_and_the_resource_wins():
    result = imported(GLOBALS)
    fn = node(result, "GetOrder")
    assert dict(fn.given) == {"runtime": "python3.12", "timeout_s": 5, "memory_mb": 512, "arch": "arm64"}
    assert node(result, "ListOrders").given["timeout_s"] == 20


def test_api_events_without_an_api_imply_one_shared_api_of_each_kind():
    result = imported(GLOBALS)
    assert {n.type for n in result.diagram.nodes if n.label.startswith("Serverless")} == {"apigw-rest", "apigw-http"}
    assert edges(result) >= {
        ("ServerlessRestApi", "route", "GetOrder"),
        ("ServerlessRestApi", "route", "ListOrders"),
        ("ServerlessHttpApi", "route", "GetOrder"),
    }
    assert edge(result, "ServerlessRestApi", "route", "GetOrder").label == "GET /orders/{id}"


def test_imported_nodes_are_labelled_by_logical_id_with_kebab_ids_and_positions():
    result = imported(GLOBALS)
    assert node(result, "GetOrder").id == "get-order"
    assert all(n.position is not None for n in result.diagram.nodes)
    assert len({n.position for n in result.diagram.nodes}) == len(result.diagram.nodes)


def test_a_client_is_added_for_public_front_doors():
    result = imported(GLOBALS)
    assert ("Callers", "request", "ServerlessRestApi") in edges(result)
    assert node(result, "Callers").type == "client-web"


EVENTS = f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs: {{Type: AWS::SQS::Queue, Properties: {{RedrivePolicy: {{deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 3}}, VisibilityTimeout: 180}}}}
  JobsDlq: {{Type: AWS::SQS::Queue}}
  Topic: {{Type: AWS::SNS::Topic}}
  Bus: {{Type: AWS::Events::EventBus, Properties: {{Name: orders}}}}
  Stream: {{Type: AWS::Kinesis::Stream, Properties: {{ShardCount: 2}}}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
      AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
  Uploads: {{Type: AWS::S3::Bucket}}
  Failures: {{Type: AWS::SQS::Queue}}
  Worker:
    {FN}      Runtime: nodejs22.x
      Events:
        FromJobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 10
            MaximumBatchingWindowInSeconds: 5
            ScalingConfig: {{MaximumConcurrency: 4}}
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria: {{Filters: [{{Pattern: '{{"body": {{"type": ["job"]}}}}'}}]}}
        FromTopic: {{Type: SNS, Properties: {{Topic: !Ref Topic, FilterPolicy: {{kind: [big]}}}}}}
        FromBus:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern: {{source: [shop]}}
            DeadLetterConfig: {{Arn: !GetAtt Failures.Arn}}
        FromDefaultBus: {{Type: CloudWatchEvent, Properties: {{Pattern: {{source: [aws.s3]}}}}}}
        Nightly: {{Type: Schedule, Properties: {{Schedule: "cron(0 2 * * ? *)"}}}}
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            DeadLetterConfig: {{Arn: !GetAtt Failures.Arn}}
        FromStream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
            BatchSize: 100
            DestinationConfig: {{OnFailure: {{Type: SQS, Destination: !GetAtt Failures.Arn}}}}
        FromTable: {{Type: DynamoDB, Properties: {{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}}}}
        FromUploads: {{Type: S3, Properties: {{Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}}}}
        FromBroker: {{Type: MQ, Properties: {{Broker: arn:aws:mq:x, Queues: [q]}}}}
"""


def test_function_event_sources_become_edges_with_their_settings():
    result = imported(EVENTS)
    assert edges(result) >= {
        ("Jobs", "poll", "Worker"),
        ("Jobs", "dead-letter", "JobsDlq"),
        ("Topic", "subscribe", "Worker"),
        ("Bus", "subscribe", "Worker"),
        ("Bus", "dead-letter", "Failures"),
        ("DefaultEventBus", "subscribe", "Worker"),
        ("WorkerNightly", "trigger", "Worker"),
        ("WorkerHourly", "trigger", "Worker"),
        ("WorkerHourly", "dead-letter", "Failures"),
        ("Stream", "poll", "Worker"),
        ("Worker", "dead-letter", "Failures"),
        ("Table", "poll", "Worker"),
        ("Uploads", "trigger", "Worker"),
    }
    poll = edge(result, "Jobs", "poll", "Worker")
    assert dict(poll.attrs) == {
        "batch_size": 10,
        "batching_window_s": 5,
        "max_concurrency": 4,
        "report_batch_item_failures": True,
        "filter": {"body": {"type": ["job"]}},
    }
    assert edge(result, "Topic", "subscribe", "Worker").attrs["filter"] == {"kind": ["big"]}
    assert edge(result, "Bus", "subscribe", "Worker").attrs["filter"] == {"source": ["shop"]}


def test_streams_schedules_and_queues_carry_their_config():
    result = imported(EVENTS)
    assert node(result, "Table").config["stream"] is True
    assert node(result, "WorkerNightly").given == {"schedule": "cron(0 2 * * ? *)"}
    assert node(result, "DefaultEventBus").given == {"event_source": "aws-service"}
    assert dict(node(result, "Jobs").given) == {"visibility_timeout_s": 180, "max_receive_count": 3}


def test_an_event_type_outside_the_catalog_is_a_note():
    result = imported(EVENTS)
    assert any("FromBroker" in n and "MQ" in n for n in notes_for(result, "Worker"))


EXPLICIT = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Orders: {Type: AWS::SNS::Topic}
  Billing: {Type: AWS::SQS::Queue}
  BillingDlq: {Type: AWS::SQS::Queue}
  Handler:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: a.h, Role: arn:aws:iam::1:role/x, Code: {ZipFile: x}, Timeout: 30}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Billing.Arn, FunctionName: !Ref Handler, BatchSize: 5}
  BillingSub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt Billing.Arn
      FilterPolicy: {region: [eu]}
      RedrivePolicy: {deadLetterTargetArn: !GetAtt BillingDlq.Arn}
  PartnerSub: {Type: AWS::SNS::Subscription, Properties: {TopicArn: !Ref Orders, Protocol: https, Endpoint: "https://partner.example.com/hook"}}
  MailSub: {Type: AWS::SNS::Subscription, Properties: {TopicArn: !Ref Orders, Protocol: email, Endpoint: ops@example.com}}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [billing]}
      Targets: [{Id: t1, Arn: !GetAtt Handler.Arn, DeadLetterConfig: {Arn: !GetAtt BillingDlq.Arn}}]
  Cleanup:
    Type: AWS::Events::Rule
    Properties: {ScheduleExpression: rate(1 day), Targets: [{Id: t, Arn: !GetAtt Handler.Arn}]}
  Reports: {Type: AWS::Scheduler::ScheduleGroup}
  Weekly:
    Type: AWS::Scheduler::Schedule
    Properties:
      GroupName: !Ref Reports
      ScheduleExpression: cron(0 8 ? * MON *)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target: {Arn: !GetAtt Handler.Arn, RoleArn: arn:aws:iam::1:role/s, DeadLetterConfig: {Arn: !GetAtt BillingDlq.Arn}}
  InvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Handler
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
      DestinationConfig:
        OnFailure: {Destination: !GetAtt BillingDlq.Arn}
        OnSuccess: {Destination: !Ref Orders}
"""


def test_explicit_mappings_subscriptions_rules_and_schedules_become_edges():
    result = imported(EXPLICIT)
    assert edges(result) >= {
        ("Billing", "poll", "Handler"),
        ("Orders", "subscribe", "Billing"),
        ("Orders", "dead-letter", "BillingDlq"),
        ("Orders", "subscribe", "partner.example.com"),
        ("DefaultEventBus", "subscribe", "Handler"),
        ("DefaultEventBus", "dead-letter", "BillingDlq"),
        ("Cleanup", "trigger", "Handler"),
        ("Reports", "trigger", "Handler"),
        ("Reports", "dead-letter", "BillingDlq"),
        ("Handler", "dead-letter", "BillingDlq"),
        ("Handler", "publish", "Orders"),
    }
    assert edge(result, "Billing", "poll", "Handler").attrs["batch_size"] == 5
    assert edge(result, "Orders", "subscribe", "Billing").attrs["filter"] == {"region": ["eu"]}
    assert node(result, "partner.example.com").type == "external-api"  # an endpoint outside AWS, by its host
    assert node(result, "Cleanup").type == node(result, "Reports").type == "eventbridge-scheduler"
    assert node(result, "Handler").config["retry_attempts"] == 1
    assert any("email" in n for n in notes_for(result, "MailSub"))
    assert "Weekly" not in {n.label for n in result.diagram.nodes}  # a schedule of a group is the group


APIS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  PoolClient: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool}}
  Queue: {Type: AWS::SQS::Queue}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: app}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: Items, KeySchema: [{AttributeName: pk, KeyType: HASH}], AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties: {Type: EXPRESS, Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}
  Rest: {Type: AWS::ApiGateway::RestApi, Properties: {Name: rest}}
  Items: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: items}}
  Item: {Type: AWS::ApiGateway::Resource, Properties: {RestApiId: !Ref Rest, ParentId: !Ref Items, PathPart: "{id}"}}
  GetItem:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Item
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  PutItem:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Items
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem
        RequestTemplates: {application/json: '{"TableName": "Items", "Item": {}}'}
  Enqueue:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !GetAtt Rest.RootResourceId
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: !Join ["", ["arn:aws:apigateway:", !Ref "AWS::Region", ":sqs:path/", !Ref "AWS::AccountId", "/", !GetAtt Queue.QueueName]]
  Authorizer:
    Type: AWS::ApiGateway::Authorizer
    Properties: {RestApiId: !Ref Rest, Type: COGNITO_USER_POOLS, ProviderARNs: [!GetAtt Pool.Arn], IdentitySource: method.request.header.Authorization, Name: auth}
  Open:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /start:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution
                requestTemplates: {application/json: !Sub '{"stateMachineArn": "${Flow}"}'}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: http, ProtocolType: HTTP}
  HttpJwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Http
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      Name: jwt
      JwtConfiguration: {Audience: [!Ref PoolClient], Issuer: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"}
  ToBus:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationSubtype: EventBridge-PutEvents
      PayloadFormatVersion: "1.0"
      RequestParameters: {EventBusName: !Ref Bus, Detail: $request.body, DetailType: x, Source: y}
  ToBusRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: POST /events, Target: !Sub "integrations/${ToBus}"}
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  SocketToFn:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  SocketToTable:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem
      RequestTemplates: {$default: !Sub '{"TableName": "${Table}"}'}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Socket, RouteKey: $connect, Target: !Join [/, [integrations, !Ref SocketToFn]]}
"""


def test_api_gateway_integrations_become_edges_of_the_right_kind():
    result = imported(APIS)
    assert edges(result) >= {
        ("Rest", "route", "Fn"),
        ("Rest", "write", "Table"),
        ("Rest", "send", "Queue"),
        ("Rest", "authorize", "Pool"),  # an authorizer, not a backend
        ("Open", "invoke-sync", "Flow"),
        ("Http", "publish", "Bus"),
        ("Http", "authorize", "Pool"),
        ("Socket", "route", "Fn"),
        ("Socket", "write", "Table"),  # $connect stores the connection with a DynamoDB service integration
    }
    assert edge(result, "Rest", "route", "Fn").label == "GET /items/{id}"
    assert edge(result, "Http", "publish", "Bus").label == "POST /events"
    assert edge(result, "Socket", "route", "Fn").label == "$connect"
    assert node(result, "Socket").type == "apigw-websocket"
    assert node(result, "Http").type == "apigw-http"


def test_routes_say_who_may_call_them():
    result = imported(APIS)
    assert edge(result, "Rest", "route", "Fn").attrs["auth"] == "none"  # AuthorizationType: NONE
    assert edge(result, "Http", "publish", "Bus").attrs["auth"] == "none"
    assert edge(result, "Socket", "write", "Table").attrs["auth"] == "none"  # whoever may connect may use every route


def test_a_connection_the_catalog_does_not_allow_is_a_note_not_an_edge():
    result = imported(
        "Resources:\n  Pool: {Type: AWS::Cognito::UserPool, Properties: {LambdaConfig: {PreSignUp: !GetAtt Q.Arn}}}\n"
        "  Q: {Type: AWS::SQS::Queue}\n"
    )
    assert not result.diagram.edges
    assert any("catalog allows" in n for n in notes_for(result, "Pool"))


WORKFLOWS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Reserve: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Charge: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Release: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Notify: {Type: AWS::SNS::Topic}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: pk, KeyType: HASH}], AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]}
  Saga:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: ReserveStock
        States:
          ReserveStock:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: "${ReserveArn}", Payload.$: $}
            Retry: [{ErrorEquals: [States.ALL]}]
            Next: ChargeCard
          ChargeCard:
            Type: Task
            Resource: !GetAtt Charge.Arn
            Catch: [{ErrorEquals: [States.ALL], Next: ReleaseStock}]
            Next: Fanout
          Fanout:
            Type: Parallel
            Branches:
              - StartAt: Save
                States:
                  Save:
                    Type: Task
                    Resource: arn:aws:states:::dynamodb:putItem
                    Parameters: {TableName: !Ref Orders, Item: {}}
                    End: true
              - StartAt: Tell
                States:
                  Tell: {Type: Task, Resource: "arn:aws:states:::sns:publish", Parameters: {TopicArn: !Ref Notify, Message: x}, End: true}
            End: true
          ReleaseStock:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: !GetAtt Release.Arn}
            Next: Failed
          Failed: {Type: Fail}
      DefinitionSubstitutions:
        ReserveArn: !GetAtt Reserve.Arn
      Events:
        Start: {Type: Api, Properties: {Path: /checkout, Method: post}}
        OnEvent: {Type: EventBridgeRule, Properties: {Pattern: {source: [shop]}}}
  Classic:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::1:role/x
      StateMachineType: EXPRESS
      DefinitionString: !Sub |
        {"StartAt": "Go", "States": {"Go": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
          "Parameters": {"FunctionName": "${Charge.Arn}", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}}
  External:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine.asl.json
      Policies: [{LambdaInvokePolicy: {FunctionName: !Ref Reserve}}]
"""


def test_task_states_become_task_edges_with_retry_and_catch():
    result = imported(WORKFLOWS)
    assert edges(result) >= {
        ("Saga", "task", "Reserve"),
        ("Saga", "task", "Charge"),
        ("Saga", "task", "Orders"),
        ("Saga", "task", "Notify"),
        ("Saga", "compensate", "Release"),
        ("Classic", "task", "Charge"),
    }
    assert dict(edge(result, "Saga", "task", "Reserve").attrs) == {"step": "ReserveStock", "retry": True}
    assert dict(edge(result, "Saga", "task", "Charge").attrs) == {
        "step": "ChargeCard",
        "catch": True,
        "catch_errors": ["States.ALL"],
    }
    assert edge(result, "Saga", "compensate", "Release").attrs["undoes"] == "ReserveStock"
    assert edge(result, "Classic", "task", "Charge").attrs["wait_for_callback"] is True
    assert node(result, "Classic").type == "sfn-express"


def test_state_machines_started_by_api_gateway_and_eventbridge():
    result = imported(WORKFLOWS)
    assert {("ServerlessRestApi", "invoke-async", "Saga"), ("DefaultEventBus", "subscribe", "Saga")} <= edges(result)


def test_a_definition_file_that_was_not_imported_is_noted_and_its_permissions_draw_nothing():
    result = imported(WORKFLOWS)
    assert not [e for e in edges(result) if e[0] == "External"]  # LambdaInvokePolicy alone is no connection
    [note] = [n for n in notes_for(result, "External") if "DefinitionUri" in n]
    assert "statemachine.asl.json is not among the files imported with the template" in note


STREAMS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
      KinesisStreamSpecification: {StreamArn: !GetAtt Feed.Arn}
  Feed: {Type: AWS::Kinesis::Stream, Properties: {StreamModeDetails: {StreamMode: ON_DEMAND}}}
  Lake: {Type: AWS::S3::Bucket}
  Shape: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Enrich: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Target: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Hose:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamType: KinesisStreamAsSource
      KinesisStreamSourceConfiguration: {KinesisStreamARN: !GetAtt Feed.Arn, RoleARN: arn:aws:iam::1:role/f}
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Lake.Arn
        RoleARN: arn:aws:iam::1:role/f
        BufferingHints: {IntervalInSeconds: 60, SizeInMBs: 64}
        ProcessingConfiguration:
          Enabled: true
          Processors: [{Type: Lambda, Parameters: [{ParameterName: LambdaArn, ParameterValue: !GetAtt Shape.Arn}]}]
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      RoleArn: arn:aws:iam::1:role/p
      Source: !GetAtt Events.StreamArn
      SourceParameters:
        DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 20}
        FilterCriteria: {Filters: [{Pattern: '{"eventName": ["INSERT"]}'}]}
      Enrichment: !GetAtt Enrich.Arn
      Target: !GetAtt Target.Arn
  Thing: {Type: AWS::IoT::Thing}
"""


def test_streams_firehose_and_pipes_become_edges():
    result = imported(STREAMS)
    assert edges(result) >= {
        ("Events", "publish", "Feed"),
        ("Feed", "poll", "Hose"),
        ("Hose", "write", "Lake"),
        ("Hose", "invoke-sync", "Shape"),
        ("Events", "poll", "Pipe"),  # a pipe reads its source,
        ("Pipe", "enrich", "Enrich"),  # calls its enrichment with each batch,
        ("Pipe", "invoke-sync", "Target"),  # and hands the result to its target (REQUEST_RESPONSE by default)
    }
    assert edge(result, "Events", "poll", "Pipe").attrs == {"batch_size": 20, "filter": {"eventName": ["INSERT"]}}
    assert not [e for e in edges(result) if e[2] == "Enrich" and e[0] != "Pipe"]  # nothing else calls it
    assert node(result, "Pipe").type == "eventbridge-pipe"
    assert node(result, "Events").config["stream"] is True
    assert node(result, "Feed").given == {"mode": "on-demand"}
    assert node(result, "Hose").given == {"buffer_interval_s": 60, "buffer_mb": 64}


def test_resources_outside_the_catalog_are_left_out_with_a_note_each():
    result = imported(STREAMS)
    assert "Thing" not in {n.label for n in result.diagram.nodes}
    assert notes_for(result, "Thing") == ["AWS::IoT::Thing has no service type in the catalog; left out"]
    assert "Thing" in {n.resource for n in result.notes}


PERMISSIONS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: pk, KeyType: HASH}], AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]}
  Archive:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Ref ArchiveName, KeySchema: [{AttributeName: pk, KeyType: HASH}], AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]}
  Reports: {Type: AWS::S3::Bucket}
  Out: {Type: AWS::SQS::Queue}
  Quiet: {Type: AWS::SQS::Queue}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: shop}}
  Flow: {Type: AWS::Serverless::StateMachine, Properties: {Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}}}
  Helper: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ["s3:GetObject"], Resource: !Sub "${Reports.Arn}/*"}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          ORDERS: !Ref Orders
          REPORTS: !Ref Reports
          OUT_URL: !Ref Out
          FLOW_ARN: !Ref Flow
          HELPER: !Ref Helper
      Policies:
        - DynamoDBReadPolicy: {TableName: !Ref Orders}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Out.QueueName}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Quiet.QueueName}
        - EventBridgePutEventsPolicy: {EventBusName: shop}
        - StepFunctionsExecutionPolicy: {StateMachineName: !GetAtt Flow.Name}
        - LambdaInvokePolicy: {FunctionName: !Ref Helper}
        - DynamoDBCrudPolicy: {TableName: !Ref ArchiveName}
        - Statement: [{Effect: Allow, Action: "dynamodb:PutItem", Resource: !GetAtt Orders.Arn}]
Parameters:
  ArchiveName: {Type: String, Default: archive}
"""


def test_a_function_calls_what_its_environment_names_and_its_permissions_allow():
    result = imported(PERMISSIONS)
    assert edges(result) >= {
        ("Fn", "read", "Orders"),
        ("Fn", "write", "Orders"),
        ("Fn", "read", "Reports"),
        ("Fn", "send", "Out"),
        ("Fn", "invoke-async", "Flow"),
        ("Fn", "invoke-sync", "Helper"),
    }
    assert ("Fn", "write", "Reports") not in edges(result)


def test_a_permission_alone_is_no_connection():
    result = imported(PERMISSIONS)
    assert not [e for e in edges(result) if e[2] == "Quiet"]  # SQSSendMessagePolicy, but nothing names the queue


def test_a_resource_with_a_fixed_name_needs_no_variable_to_be_used():
    result = imported(PERMISSIONS)
    assert {("Fn", "publish", "Bus"), ("Fn", "read", "Archive"), ("Fn", "write", "Archive")} <= edges(result)


def test_read_write_permissions_on_a_table_never_make_a_stream_poll():
    result = imported(
        PERMISSIONS.replace("{StreamViewType: NEW_IMAGE}", "").replace(
            "- DynamoDBReadPolicy: {TableName: !Ref Orders}",
            "- Statement: [{Effect: Allow, Action: ['dynamodb:*'], Resource: [!GetAtt Orders.Arn, !GetAtt Orders.StreamArn]}]",
        )
    )
    assert not [e for e in edges(result) if e[1] == "poll"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("- a\n- b\n", "", "a template is a mapping"),
        ("AWSTemplateFormatVersion: '2010-09-09'\n", "Resources", "is missing"),
        ("Resources: {}\n", "Resources", "is empty"),
        ("Resources: [a]\n", "Resources", "must be a mapping"),
        ("Resources:\n  A: {Properties: {}}\n", "Resources.A.Type", "is missing"),
        ("Resources:\n  A: {Type: AWS::SQS::Queue, Properties: [1]}\n", "Resources.A.Properties", "must be a mapping"),
        ("Resources:\n  A: 3\n", "Resources.A", "must be a mapping"),
    ],
)
def test_malformed_templates_raise_with_a_path(text, where, message):
    with pytest.raises(DiagramError) as info:
        from_template(text)
    assert info.value.problems[0].path == where
    assert message in info.value.problems[0].message


def test_ids_stay_unique_when_logical_ids_read_alike():
    result = imported("Resources:\n  MyQueue: {Type: AWS::SQS::Queue}\n  MyQUEUE: {Type: AWS::SQS::Queue}\n")
    assert sorted(n.id for n in result.diagram.nodes) == ["my-queue", "my-queue-2"]


def test_a_template_without_transform_or_nodes_still_imports():
    result = imported("Resources:\n  Log: {Type: AWS::Logs::LogGroup}\n")
    assert result.diagram.nodes == ()
    assert result.diagram.name == "Imported template"


def test_config_values_the_catalog_refuses_are_noted_and_dropped():
    result = imported(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties: {Runtime: python3.14, Timeout: 2000, MemorySize: !Ref Mem}\n"
    )
    fn = node(result, "Fn")
    assert fn.given == {"runtime": "python3.14"}
    assert any("timeout_s 2,000 left at the default" in n or "timeout_s 2000" in n for n in notes_for(result, "Fn"))


@pytest.mark.parametrize("runtime", ["python3.14", "nodejs24.x", "java25", "dotnet10", "ruby3.4", "nodejs20.x"])
def test_runtimes_lambda_supports_are_kept(runtime):
    result = imported(f"Resources:\n  Fn: {{Type: AWS::Lambda::Function, Properties: {{Runtime: {runtime}}}}}\n")
    assert node(result, "Fn").given == {"runtime": runtime}
    assert notes_for(result, "Fn") == []


@pytest.mark.parametrize("runtime", ["python3.9", "nodejs18.x", "java11", "provided.al2", "dotnetcore3.1", "go1.x"])
def test_a_deprecated_runtime_is_kept_as_written_and_reported(runtime):
    result = imported(f"Resources:\n  Fn: {{Type: AWS::Lambda::Function, Properties: {{Runtime: {runtime}}}}}\n")
    assert node(result, "Fn").given == {"runtime": runtime}
    assert not notes_for(result, "Fn")
    findings = validate(result.diagram, today=dt.date(2027, 7, 1)).findings
    assert [f.nodes for f in findings if f.rule == "deprecated-runtime"] == [(node(result, "Fn").id,)]


def test_a_runtime_newer_than_the_catalog_is_changed_to_the_nearest_with_a_note_saying_so():
    result = imported("Resources:\n  Fn: {Type: AWS::Lambda::Function, Properties: {Runtime: python3.15}}\n")
    assert node(result, "Fn").given == {"runtime": "python3.14"}
    [note] = notes_for(result, "Fn")
    assert "runtime 'python3.15' is not one of the catalog's Lambda runtimes; changed to python3.14" in note
    assert note in result.diagram.description


def test_a_runtime_of_an_unknown_family_is_left_at_the_default_with_a_note():
    result = imported("Resources:\n  Fn: {Type: AWS::Lambda::Function, Properties: {Runtime: cobol1.x}}\n")
    assert node(result, "Fn").given == {}
    assert any("runtime 'cobol1.x' left at the default" in n for n in notes_for(result, "Fn"))


@pytest.mark.parametrize(
    "metadata",
    [
        "Metadata: {Archlab: [1, 2]}",
        "Metadata: {Archlab: {nodes: [1], edges: {a: 1}}}",
        "Metadata: {Archlab: {nodes: {X: {type: no-such-type, id: '!!'}}, edges: [{from: X, to: Y, kind: poll}, 3]}}",
        "Metadata: {Archlab: {nodes: {Q: {id: 'bad id!', label: 5}}, edges: [{from: Q, to: Q, kind: nope, attrs: '{'}]}}",
    ],
)
def test_broken_archlab_metadata_is_ignored_not_a_crash(metadata):
    result = imported(f"{metadata}\nResources:\n  Q: {{Type: AWS::SQS::Queue}}\n")
    assert [n.type for n in result.diagram.nodes] == ["sqs"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", True),
        ("Transform: AWS::Serverless-2016-10-31\n", True),
        ('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}', True),
        ('{"format": "archlab/diagram@1", "nodes": []}', False),
        (b"Resources:\n  Q: {Type: AWS::SQS::Queue}\n", True),
        ({"Resources": {}}, True),
        ({"format": "archlab/diagram@1", "nodes": [], "Resources": {}}, False),
        ({"nodes": []}, False),
        ([], False),
        ("just text", False),
    ],
)
def test_looks_like_template(value, expected):
    assert looks_like_template(value) is expected


def test_an_archive_of_the_default_bus_adds_the_bus_with_its_archive():
    text = "Resources:\n  Keep:\n    Type: AWS::Events::Archive\n    Properties:\n      SourceArn: !Sub arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\n"
    result = imported(text)
    assert node(result, "DefaultEventBus").config["archive"] is True
    assert result.notes[0].to_dict() == {
        "resource": "Keep",
        "type": "AWS::Events::Archive",
        "note": "read as the archive setting of its bus",
    }


# ------------------------------------------------------------------------------------------------ robustness

NAMES = ["Fn", "Queue", "Topic", "Bus", "Table", "Api", "Machine", "Role", "Bucket", "Stream"]
TYPES = [
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::SNS::Subscription",
    "AWS::Events::EventBus", "AWS::Events::Rule", "AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup",
    "AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::KinesisFirehose::DeliveryStream", "AWS::S3::Bucket",
    "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine", "AWS::Serverless::Api", "AWS::Serverless::HttpApi",
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource", "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Authorizer", "AWS::AppSync::DataSource",
    "AWS::AppSync::GraphQLApi", "AWS::AppSync::Resolver", "AWS::Serverless::GraphQLApi", "AWS::IAM::Role", "AWS::IAM::Policy",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig", "AWS::Pipes::Pipe", "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient", "AWS::CloudFront::Distribution", "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::RDS::DBProxyTargetGroup",
    "AWS::Events::ApiDestination", "AWS::Events::Archive", "AWS::Serverless::Connector", "Custom::Thing",
]  # fmt: skip
KEYS = [
    "Events", "Policies", "Role", "Queue", "Stream", "Topic", "TopicArn", "Endpoint", "Protocol", "Targets", "EventPattern",
    "EventBusName", "RedrivePolicy", "DestinationConfig", "EventInvokeConfig", "DeadLetterQueue", "Definition",
    "DefinitionString", "DefinitionSubstitutions", "DefinitionBody", "Body", "Integration", "IntegrationUri",
    "IntegrationType", "IntegrationSubtype", "ApiId", "RestApiId", "ResourceId", "Source", "Target", "Enrichment",
    "SourceParameters", "NotificationConfiguration", "LambdaConfig", "KinesisStreamSpecification", "StreamSpecification",
    "DistributionConfig", "FunctionName", "EventSourceArn", "GroupName", "ScheduleExpression", "Type", "ProtocolType",
    "DataSourceName", "ServiceRoleArn", "DynamoDBConfig", "HttpConfig", "LambdaConfig", "Auth", "Subscription",
    "AssumeRolePolicyDocument", "PolicyDocument", "Roles", "TaskDefinition", "LoadBalancers", "Connectors",
    "Runtime", "Timeout", "MemorySize", "FifoQueue", "QueueName", "TableName", "Name", "RequestTemplates",
]  # fmt: skip
EVENT_TYPES = [
    "Api",
    "HttpApi",
    "SQS",
    "SNS",
    "Kinesis",
    "DynamoDB",
    "EventBridgeRule",
    "Schedule",
    "ScheduleV2",
    "S3",
    "Cognito",
    "MQ",
]


def _values() -> st.SearchStrategy[Any]:
    names = st.sampled_from(NAMES)
    refs = st.one_of(
        names.map(lambda n: {"Ref": n}),
        names.map(lambda n: {"Fn::GetAtt": [n, "Arn"]}),
        names.map(lambda n: {"Fn::Sub": "arn:aws:x:${AWS::Region}:${" + n + ".Arn}"}),
        st.sampled_from(
            ["arn:aws:states:::lambda:invoke", "default", "*", "sqs:SendMessage", "arn:aws:events:x:event-bus/default"]
        ),
    )
    leaves = st.one_of(json_values, refs)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
        max_leaves=12,
    )


def _events() -> st.SearchStrategy[Any]:
    event = st.fixed_dictionaries(
        {
            "Type": st.sampled_from(EVENT_TYPES),
            "Properties": st.dictionaries(st.sampled_from(KEYS), _values(), max_size=4),
        }
    )
    return st.dictionaries(st.sampled_from(["A", "B", "C"]), event | json_values, max_size=3)


def _resources() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.sampled_from(NAMES),
        st.fixed_dictionaries(
            {"Type": st.sampled_from(TYPES)},
            optional={
                "Properties": st.dictionaries(st.sampled_from(KEYS), _values(), max_size=6).flatmap(
                    lambda p: st.just(p) | _events().map(lambda e: {**p, "Events": e})
                )
            },
        ),
        min_size=1,
        max_size=8,
    )


# What a hostile or careless YAML file may hold: unknown and Python tags, anchors and aliases, merge keys, numbers
# too long to hold, tabs, stray flow and block markers.
YAML_FRAGMENTS = [
    "!Foo ",
    "!!python/object/apply:os.system ['true'] ",
    "&a ",
    "*a",
    "<<: *a\n",
    "9" * 5000,
    "0x" + "f" * 300,
    "\t",
    ": ",
    "- ",
    "{",
    "]",
    ".inf",
    "~",
    "\n  - !GetAtt\n",
    "\ufeff",
]


@settings(max_examples=200, deadline=None)
@given(_resources(), st.integers(min_value=0), st.sampled_from(YAML_FRAGMENTS) | st.text(max_size=30))
def test_any_yaml_template_text_imports_or_says_why_never_crashes(resources, cut, fragment):
    text = dump_template({"Resources": resources})
    at = cut % (len(text) + 1)
    for candidate in (text, text[:at] + fragment + text[at:]):
        try:
            result = from_template(candidate.encode())
        except DiagramError:
            continue
        assert parse(result.diagram.to_dict()) == result.diagram


@settings(max_examples=200, deadline=None)
@given(_resources(), st.one_of(st.none(), _values()))
def test_any_template_shaped_input_imports_or_says_why_never_crashes(resources, metadata):
    doc: dict[str, Any] = {"Resources": resources}
    if metadata is not None:
        doc["Metadata"] = {"Archlab": metadata}
    try:
        result = from_template(json.dumps(doc))
    except DiagramError:
        return
    assert parse(result.diagram.to_dict()) == result.diagram
